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

sel(rw, mgmt, exclude) := {"readWriteType": rw, "includeManagementEvents": mgmt, "excludeManagementEventSources": exclude, "dataResources": []}

put(sels) := ct("PutEventSelectors", {"trailName": "main", "eventSelectors": sels})

test_basic_selectors if {
	some f in k.deny with input as {"records": [put([sel("All", false, [])])]}
	contains(f.message, "KMS reads")
	contains(f.message, "KMS writes")
	count(k.deny) == 1 with input as {"records": [put([sel("All", true, ["kms.amazonaws.com"])])]}
	count(k.deny) == 0 with input as {"records": [put([sel("All", true, [])])]}
	some g in k.deny with input as {"records": [put([sel("ReadOnly", true, [])])]}
	not contains(g.message, "KMS reads")
	contains(g.message, "KMS writes")
}

test_selectors_judged_together if {
	# A trail logs an event when any selector matches: a data-only selector beside a
	# management one, or read-only and write-only halves, leave KMS logged.
	data_only := object.union(sel("WriteOnly", false, []), {"dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::b/"]}]})
	count(k.deny) == 0 with input as {"records": [put([sel("All", true, []), data_only])]}
	count(k.deny) == 0 with input as {"records": [put([sel("ReadOnly", true, []), sel("WriteOnly", true, [])])]}
	count(k.deny) == 1 with input as {"records": [put([sel("ReadOnly", true, []), sel("WriteOnly", true, ["kms.amazonaws.com"])])]}
}

adv(name, fields) := {"name": name, "fieldSelectors": fields}

mgmt := {"field": "eventCategory", "equals": ["Management"]}

test_advanced_selectors if {
	data_only := ct("PutEventSelectors", {"trailName": "main", "advancedEventSelectors": [adv("s3", [{"field": "eventCategory", "equals": ["Data"]}])]})
	count(k.deny) == 1 with input as {"records": [data_only]}
	no_kms := ct("PutEventSelectors", {"trailName": "main", "advancedEventSelectors": [adv("m", [mgmt, {"field": "eventSource", "notEquals": ["kms.amazonaws.com"]}])]})
	some f in k.deny with input as {"records": [no_kms]}
	contains(f.message, "KMS reads")
	ok := ct("PutEventSelectors", {"trailName": "main", "advancedEventSelectors": [adv("m", [mgmt])]})
	count(k.deny) == 0 with input as {"records": [ok]}
	halves := ct("PutEventSelectors", {"trailName": "main", "advancedEventSelectors": [
		adv("r", [mgmt, {"field": "readOnly", "equals": ["true"]}]),
		adv("w", [mgmt, {"field": "readOnly", "equals": ["false"]}]),
	]})
	count(k.deny) == 0 with input as {"records": [halves]}
	writes := ct("PutEventSelectors", {"trailName": "main", "advancedEventSelectors": [adv("w", [mgmt, {"field": "readOnly", "equals": ["false"]}])]})
	some g in k.deny with input as {"records": [writes]}
	contains(g.message, "KMS reads")
	not contains(g.message, "KMS writes")
}

test_lake_and_regions if {
	count(k.deny) == 2 with input as {"records": [ct("StopEventDataStoreIngestion", {"eventDataStore": "eds"}), ct("DeleteEventDataStore", {"eventDataStore": "eds"})]}
	some f in k.deny with input as {"records": [ct("UpdateEventDataStore", {"eventDataStore": "eds", "advancedEventSelectors": [adv("s3", [{"field": "eventCategory", "equals": ["Data"]}])]})]}
	contains(f.message, "event data store eds")
	count(k.warn) == 1 with input as {"records": [ct("UpdateEventDataStore", {"eventDataStore": "eds", "kmsKeyId": "alias/k"})]}
	some g in k.warn with input as {"records": [ct("UpdateTrail", {"name": "main", "isMultiRegionTrail": false})]}
	contains(g.message, "single-Region")
}

test_failed_ignored if {
	count(k.deny) == 0 with input as {"records": [object.union(ct("StopLogging", {"name": "main"}), {"errorCode": "AccessDenied"})]}
}
