# METADATA
# title: Redundant statement
# description: |
#   Identical to an earlier statement, ignoring Sid and the order of array values.
# custom:
#   id: redundant-statement
#   severity: info
package keytrail.lint.redundant_statement

import data.keytrail.lint.lib

deny contains lib.finding(st, sprintf("identical to statement %v", [first.ref])) if {
	some st in input.statements
	not st.structural_error
	first := [e | some e in input.statements; e.index < st.index; e.signature == st.signature][0]
}
