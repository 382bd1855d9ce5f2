# METADATA
# title: Redundant action
# description: |
#   An action entry that another entry of the same statement covers by wildcard, or repeats.
# custom:
#   id: redundant-action
#   severity: info
package keytrail.lint.redundant_action

import data.keytrail.lint.lib

deny contains f if {
	some st in input.statements
	vals := [lower(v) | some v in st.actions.values]
	redundant := {st.actions.values[i] | some i, v in vals; covered(vals, i, v)}
	count(redundant) > 0
	f := lib.finding(st, sprintf("%s: covered by another entry of the statement", [lib.sorted_join(redundant)]))
}

# covered: an earlier identical entry, or a different wildcard entry matching it.
covered(vals, i, v) if {
	some j, w in vals
	j < i
	w == v
}

covered(vals, i, v) if {
	some j, w in vals
	j != i
	w != v
	lib.has_wildcard(w)
	glob.match(w, [], v)
}
