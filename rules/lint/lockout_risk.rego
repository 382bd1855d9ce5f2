# METADATA
# title: Nobody can change the key policy
# description: |
#   Key policies only. No Allow grants kms:PutKeyPolicy to anyone (reported on the document),
#   or an unconditional Deny of kms:PutKeyPolicy applies to "*" (reported on the Deny): the key
#   becomes unmanageable, and KMS's lockout safety check refuses such a policy.
#   AWS managed keys (policy Id auto-*, such as aws/s3's auto-s3-2) are managed by AWS and exempt.
# custom:
#   id: lockout-risk
#   severity: error
package keytrail.lint.lockout_risk

import data.keytrail.lint.lib

deny contains lib.document_finding("no statement allows kms:PutKeyPolicy: nobody could change this key policy again") if {
	input.type == "key"
	not input.structural_errors
	not input.aws_managed
	not any_put_key_policy
}

any_put_key_policy if {
	some st in input.statements
	st.effect == "Allow"
	st.principal.present
	"kms:putkeypolicy" in st.covers
}

deny contains lib.finding(st, "this Deny of kms:PutKeyPolicy applies to everyone, unconditionally: nobody could change this key policy again") if {
	input.type == "key"
	not input.structural_errors
	not input.aws_managed
	some st in input.statements
	st.effect == "Deny"
	st.principal.wildcard
	not st.principal.not
	"kms:putkeypolicy" in st.covers
	not st.has_condition
}
