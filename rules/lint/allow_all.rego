# METADATA
# title: Allow everything
# description: |
#   An identity policy allows "*" on "*" with no condition: full administrator access.
# custom:
#   id: allow-all
#   severity: error
package keytrail.lint.allow_all

import data.keytrail.lint.lib

deny contains lib.finding(st, "allows every action on every resource, unconditionally") if {
	input.type == "identity"
	some st in input.statements
	st.effect == "Allow"
	not st.actions.not
	"*" in st.actions.values
	lib.all_resources(st)
	not st.has_condition
}
