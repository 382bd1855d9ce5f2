package keytrail.trail.trail_tampering_test

import data.keytrail.trail.testlib as t
import data.keytrail.trail.trail_tampering as k

ct(name, params) := object.union(t.kms(name, {}), {"eventSource": "cloudtrail.amazonaws.com", "requestParameters": params, "keytrail": {"key": ""}})

test_stop_and_delete if {
	count(k.deny) == 2 with input as {"records": [ct("StopLogging", {"name": "main"}), ct("DeleteTrail", {"name": "main"})]}
}

test_kms_key if {
	count(k.deny) == 1 with input as {"records": [ct("UpdateTrail", {"name": "main", "kmsKeyId": ""})]}
	count(k.warn) == 1 with input as {"records": [ct("UpdateTrail", {"name": "main", "kmsKeyId": "alias/other"})]}
	count(k.deny) + count(k.warn) == 0 with input as {"records": [ct("UpdateTrail", {"name": "main", "isMultiRegionTrail": true})]}
}

test_basic_selectors if {
	drop := ct("PutEventSelectors", {"trailName": "main", "eventSelectors": [{"readWriteType": "All", "includeManagementEvents": false, "dataResources": []}]})
	some f in k.deny with input as {"records": [drop]}
	contains(f.message, "drops management events")
	excl := ct("PutEventSelectors", {"trailName": "main", "eventSelectors": [{"readWriteType": "All", "includeManagementEvents": true, "excludeManagementEventSources": ["kms.amazonaws.com"]}]})
	count(k.deny) == 1 with input as {"records": [excl]}
	ok := ct("PutEventSelectors", {"trailName": "main", "eventSelectors": [{"readWriteType": "All", "includeManagementEvents": true, "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]})
	count(k.deny) == 0 with input as {"records": [ok]}
}

test_advanced_selectors if {
	data_only := ct("PutEventSelectors", {"trailName": "main", "advancedEventSelectors": [{"name": "s3", "fieldSelectors": [{"field": "eventCategory", "equals": ["Data"]}]}]})
	count(k.deny) == 1 with input as {"records": [data_only]}
	no_kms := ct("PutEventSelectors", {"trailName": "main", "advancedEventSelectors": [{"name": "m", "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}, {"field": "eventSource", "notEquals": ["kms.amazonaws.com"]}]}]})
	some f in k.deny with input as {"records": [no_kms]}
	contains(f.message, "excludes kms.amazonaws.com")
	ok := ct("PutEventSelectors", {"trailName": "main", "advancedEventSelectors": [{"name": "m", "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}]}]})
	count(k.deny) == 0 with input as {"records": [ok]}
}

test_failed_ignored if {
	count(k.deny) == 0 with input as {"records": [object.union(ct("StopLogging", {"name": "main"}), {"errorCode": "AccessDenied"})]}
}
