package keytrail.lint.notresource_allow_test

import data.keytrail.lint.notresource_allow
import data.keytrail.lint.testlib as t

test_allow_notresource if {
	count(notresource_allow.deny) == 1 with input as t.doc("identity", [t.stmt({"resources": {"not": true, "values": ["arn:aws:s3:::private/*"]}})])
}

test_allow_resource if {
	count(notresource_allow.deny) == 0 with input as t.doc("identity", [t.stmt({})])
}
