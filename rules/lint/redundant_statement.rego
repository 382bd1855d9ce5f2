# METADATA
# title: Redundant statement
# description: |
#   Identical to an earlier statement, ignoring Sid and the order of array values.
# custom:
#   id: redundant-statement
#   severity: info
package keytrail.lint.redundant_statement

import data.keytrail.lint.lib

deny contains lib.finding(st, sprintf("identical to statement %v", [st.duplicate_of])) if {
	some st in input.statements
	st.duplicate_of != null
}
