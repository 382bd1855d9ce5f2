# METADATA
# title: Burst of denied calls
# description: |
#   At least threshold calls denied (AccessDenied, AccessDeniedException, UnauthorizedOperation,
#   VpceAccessDenied, AuthorizationError, ...) for one principal, or from one source IP address, on
#   one service within the window: someone probing permissions or a broken deployment. Counted
#   across files; change the numbers with --data thresholds: {access-denied-burst: {threshold: N,
#   window: 10m}}. KMS logs a denied cross-account call only in the caller's account: a key
#   owner's trail does not show other accounts' bursts.
# custom:
#   id: access-denied-burst
#   severity: warning
#   threshold: 40
#   window: 6m
#   select:
#     - errorCode: ["*AccessDenied*", "*Unauthorized*", "*Forbidden*", "AuthorizationError"]
package keytrail.trail.access_denied_burst

import data.keytrail.trail.lib

denied(r) if {
	some word in ["AccessDenied", "Unauthorized", "Forbidden", "AuthorizationError"]
	contains(r.errorCode, word)
}

signal contains {"record": i, "group": sprintf("calls by %s denied on %s", [lib.principal(r), r.eventSource])} if {
	some i, r in input.records
	denied(r)
}

signal contains {"record": i, "group": sprintf("calls from %s denied on %s", [r.sourceIPAddress, r.eventSource])} if {
	some i, r in input.records
	denied(r)
	is_address(r.sourceIPAddress)
}

# is_address: an IP address, not a service name (s3.amazonaws.com) or "AWS Internal".
is_address(s) if {
	s != ""
	not contains(s, " ")
	not endswith(s, ".amazonaws.com")
}
