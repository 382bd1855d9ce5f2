package keytrail.lint.redundant_statement_test

import data.keytrail.lint.redundant_statement as r
import data.keytrail.lint.testlib as t

test_repeat if {
	t.ids(r.deny) == {1} with input as t.doc("key", [t.stmt({"signature": "a"}), t.stmt({"signature": "a", "duplicate_of": 0})])
}

test_distinct if {
	count(r.deny) == 0 with input as t.doc("key", [t.stmt({"signature": "a"}), t.stmt({"signature": "b"})])
}
