# METADATA
# title: Key policy changed
# description: |
#   PutKeyPolicy succeeded. keytrail parses the new policy
#   (a JSON string in requestParameters.policy) and lints it as a key policy: the finding is an
#   error when the new policy makes the key public (wildcard-principal, public-decrypt,
#   notprincipal-allow), grants an account other than the key's and those --data lists in
#   trusted_accounts, or the call bypassed the policy lockout safety check; otherwise a warning,
#   unless an AWS service made the call (invokedBy: a stack deployed by CloudFormation still
#   reports a public or foreign-account policy).
# custom:
#   id: key-policy-changed
#   severity: warning
#   select:
#     - eventSource: kms.amazonaws.com
#       eventName: PutKeyPolicy
package keytrail.trail.key_policy_changed

import data.keytrail.trail.lib

public_checks := {"wildcard-principal", "public-decrypt", "notprincipal-allow"}

changed contains i if {
	some i, r in input.records
	lib.kms(r, "PutKeyPolicy")
}

deny contains {"record": i, "message": sprintf("%s changed the key policy of %s: %s", [lib.principal(r), lib.key(r), concat("; ", sort(problems(r)))])} if {
	some i in changed
	r := input.records[i]
	count(problems(r)) > 0
}

warn contains {"record": i, "message": sprintf("%s changed the key policy of %s%s", [lib.principal(r), lib.key(r), note(r)])} if {
	some i in changed
	r := input.records[i]
	count(problems(r)) == 0
	not lib.by_service(r)
}

problems(r) := ((public(r) | foreign(r)) | bypass(r)) | unreadable(r)

public(r) := {sprintf("the new policy is public (%s: %s)", [f.id, f.message]) |
	some f in object.get(r.keytrail, "policy_findings", [])
	f.id in public_checks
}

foreign(r) := {sprintf("the new policy grants account %s", [a]) |
	doc := json.unmarshal(r.requestParameters.policy)
	some st in lib.as_list(doc.Statement)
	st.Effect == "Allow"
	some p in principals(st)
	a := lib.account_of(p)
	lib.foreign(r, a)
}

principals(st) := lib.as_list(st.Principal.AWS) if is_object(st.Principal)

bypass(r) := {"it bypassed the policy lockout safety check (BypassPolicyLockoutSafetyCheck)" | r.requestParameters.bypassPolicyLockoutSafetyCheck == true}

unreadable(r) := {sprintf("the new policy does not parse: %s", [r.keytrail.policy_error]) | r.keytrail.policy_error}

note(r) := "; the new policy is not in the record (requestParameters over 100 KB are omitted)" if not r.requestParameters.policy
else := ""
