# METADATA
# title: Redundant action
# description: |
#   An action entry that another entry of the same statement covers by wildcard, or repeats.
# custom:
#   id: redundant-action
#   severity: info
package keytrail.lint.redundant_action

import data.keytrail.lint.lib

deny contains lib.finding(st, sprintf("%s: covered by another entry of the statement", [lib.sorted_join(st.redundant_actions)])) if {
	some st in input.statements
	count(st.redundant_actions) > 0
}
