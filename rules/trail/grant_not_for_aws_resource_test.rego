package keytrail.trail.grant_not_for_aws_resource_test

import data.keytrail.trail.grant_not_for_aws_resource as k
import data.keytrail.trail.testlib as t

grant(grantee, extra) := t.kms("CreateGrant", object.union({"requestParameters": {"keyId": t.key_arn, "granteePrincipal": grantee, "operations": ["Decrypt", "GenerateDataKey"]}}, extra))

test_human_grant_to_foreign_account if {
	recs := [grant("arn:aws:iam::999988887777:role/outside", {})]
	some f in k.deny with input as {"records": recs}
	contains(f.message, "foreign account 999988887777")
	count(k.warn) == 0 with input as {"records": recs}
}

test_trusted_foreign_account_is_a_warning if {
	recs := [grant("arn:aws:iam::999988887777:role/outside", {})]
	count(k.deny) == 0 with input as {"records": recs} with data.keytrail.config as {"trusted_accounts": ["999988887777"]}
	count(k.warn) == 1 with input as {"records": recs} with data.keytrail.config as {"trusted_accounts": ["999988887777"]}
}

test_human_grant_same_account if {
	some f in k.warn with input as {"records": [grant("arn:aws:iam::111122223333:role/app", {})]}
	contains(f.message, "not for an AWS resource")
}

test_ebs_grant_by_human if {
	# The 2014 EBS example: logged under the human, only the grantee and context reveal EC2.
	r := grant("111122223333:aws:ec2-infrastructure:i-0abc", {"requestParameters": {"constraints": {"encryptionContextSubset": {"aws:ebs:id": "vol-1"}}}})
	count(k.warn) + count(k.deny) == 0 with input as {"records": [r]}
}

test_invoked_by_service if {
	r := grant("arn:aws:iam::111122223333:role/app", {"userIdentity": object.union(t.alice, {"invokedBy": "ec2.amazonaws.com"})})
	count(k.warn) == 0 with input as {"records": [r]}
}

test_service_principal_grantee if {
	r := t.kms("CreateGrant", {"requestParameters": {"keyId": t.key_arn, "granteeServicePrincipal": "logs.amazonaws.com", "operations": ["Decrypt"], "constraints": {"sourceArn": "arn:aws:logs:us-east-1:111122223333:log-group:g"}}})
	count(k.warn) + count(k.deny) == 0 with input as {"records": [r]}
}

test_grantee_not_logged_still_reported if {
	r := t.kms("CreateGrant", {"requestParameters": {"keyId": t.key_arn, "operations": ["Decrypt"]}})
	some f in k.warn with input as {"records": [r]}
	contains(f.message, "a grantee not logged")
}

test_context_constraint if {
	r := grant("arn:aws:iam::111122223333:role/app", {"requestParameters": {"constraints": {"encryptionContextEquals": {"aws:rds:db-id": "db-1"}}}})
	count(k.warn) == 0 with input as {"records": [r]}
}
