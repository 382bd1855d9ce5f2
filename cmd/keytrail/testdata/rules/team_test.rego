package main_test

import data.main

test_missing_sid if {
	count(main.deny) == 1 with input as {"statements": [{"index": 0, "sid": "", "line": 1, "col": 1}]}
}
