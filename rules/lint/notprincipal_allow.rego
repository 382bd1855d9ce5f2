# METADATA
# title: Allow with NotPrincipal
# description: |
#   "Effect": "Allow" with NotPrincipal allows everyone except the principals listed, anonymous
#   callers included; AWS no longer supports it. Name the principals to allow in Principal.
# custom:
#   id: notprincipal-allow
#   severity: error
package keytrail.lint.notprincipal_allow

deny contains f if {
	some st in input.statements
	st.effect == "Allow"
	st.principal.not
	f := {
		"statement": st.ref,
		"line": st.line,
		"col": st.col,
		"message": "Allow with NotPrincipal allows every principal not listed, anonymous callers included",
		"fix": "list the principals to allow in Principal instead",
	}
}
