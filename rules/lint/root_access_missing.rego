# METADATA
# title: No account principal administers the key
# description: |
#   Key policies only. No Allow grants an account principal (arn:...:root or a 12-digit id)
#   kms:PutKeyPolicy: IAM policies cannot manage the key, and if the named principals are
#   deleted the key is unmanageable. The default key policy's "Enable IAM User Permissions"
#   statement provides it.
#   AWS managed keys (policy Id auto-*, such as aws/s3's auto-s3-2) are managed by AWS and exempt.
# custom:
#   id: root-access-missing
#   severity: warning
package keytrail.lint.root_access_missing

import data.keytrail.lint.lib

deny contains lib.document_finding("no statement allows an account principal kms:PutKeyPolicy: IAM delegation is off, and the key is unmanageable if its named principals are deleted") if {
	input.type == "key"
	not input.structural_errors
	not input.aws_managed
	not account_admin
}

account_admin if {
	some st in input.statements
	st.effect == "Allow"
	count(lib.accounts(st)) > 0
	"kms:putkeypolicy" in st.covers
}
