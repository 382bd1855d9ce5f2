package keytrail.lint.service_principal_unscoped_test

import data.keytrail.lint.service_principal_unscoped as s
import data.keytrail.lint.testlib as t

svc := object.union(t.principal([]), {"service": ["cloudtrail.amazonaws.com"]})

test_unscoped if {
	count(s.deny) == 1 with input as t.doc("key", [t.stmt({"principal": svc})])
}

test_source_arn if {
	count(s.deny) == 0 with input as t.doc("key", [t.stmt({"principal": svc, "conditions": [t.cond("StringEquals", "aws:SourceArn", ["arn:aws:cloudtrail:us-east-1:111122223333:trail/t"])]})])
}

test_encryption_context if {
	count(s.deny) == 0 with input as t.doc("key", [t.stmt({"principal": svc, "conditions": [t.cond("StringLike", "kms:EncryptionContext:aws:cloudtrail:arn", ["arn:aws:cloudtrail:*:111122223333:trail/*"])]})])
}
