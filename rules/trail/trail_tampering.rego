# METADATA
# title: Trail changed so that it stops seeing KMS
# description: |
#   A change to CloudTrail that blinds a KMS audit: StopLogging and DeleteTrail; UpdateTrail
#   setting KmsKeyId (an empty value removes the log files' encryption) or making the trail
#   single-Region (KMS calls in other Regions go unlogged); PutEventSelectors leaving KMS
#   management events (all KMS calls are management events) unlogged: a trail logs an event
#   when any selector matches it, so what counts is whether some selector still covers KMS
#   reads (Decrypt, GenerateDataKey...) and some covers KMS writes (policy, state, grants),
#   without excluding kms.amazonaws.com. CloudTrail Lake: StopEventDataStoreIngestion,
#   DeleteEventDataStore, and UpdateEventDataStore changing its KMS key or selectors the same
#   way. Failed calls are not reported.
# custom:
#   id: trail-tampering
#   severity: error
#   select:
#     - eventSource: cloudtrail.amazonaws.com
#       eventName: [StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors, StopEventDataStoreIngestion, DeleteEventDataStore, UpdateEventDataStore]
package keytrail.trail.trail_tampering

import data.keytrail.trail.lib

call(r, name) if {
	r.eventSource == "cloudtrail.amazonaws.com"
	r.eventName == name
	lib.succeeded(r)
}

trail_name(r) := object.get(r.requestParameters, "name", object.get(r.requestParameters, "trailName", "(unnamed)"))

store_name(r) := object.get(r.requestParameters, "eventDataStore", "(unnamed)")

deny contains {"record": i, "message": sprintf("%s stopped logging on trail %s", [lib.principal(r), trail_name(r)])} if {
	some i, r in input.records
	call(r, "StopLogging")
}

deny contains {"record": i, "message": sprintf("%s deleted trail %s", [lib.principal(r), trail_name(r)])} if {
	some i, r in input.records
	call(r, "DeleteTrail")
}

deny contains {"record": i, "message": sprintf("%s stopped ingestion into event data store %s", [lib.principal(r), store_name(r)])} if {
	some i, r in input.records
	call(r, "StopEventDataStoreIngestion")
}

deny contains {"record": i, "message": sprintf("%s deleted event data store %s", [lib.principal(r), store_name(r)])} if {
	some i, r in input.records
	call(r, "DeleteEventDataStore")
}

deny contains {"record": i, "message": sprintf("%s removed the KMS encryption of trail %s's log files (KmsKeyId set empty)", [lib.principal(r), trail_name(r)])} if {
	some i, r in input.records
	call(r, "UpdateTrail")
	r.requestParameters.kmsKeyId == ""
}

warn contains {"record": i, "message": sprintf("%s changed the KMS key of %s to %s", [lib.principal(r), target(r), r.requestParameters.kmsKeyId])} if {
	some i, r in input.records
	r.eventName in {"UpdateTrail", "UpdateEventDataStore"}
	call(r, r.eventName)
	r.requestParameters.kmsKeyId != ""
}

warn contains {"record": i, "message": sprintf("%s made trail %s single-Region: KMS calls in other Regions are no longer logged by it", [lib.principal(r), trail_name(r)])} if {
	some i, r in input.records
	call(r, "UpdateTrail")
	r.requestParameters.isMultiRegionTrail == false
}

deny contains {"record": i, "message": sprintf("%s changed the event selectors of %s: %s", [lib.principal(r), target(r), concat("; ", sort(blinds(r)))])} if {
	some i, r in input.records
	r.eventName in {"PutEventSelectors", "UpdateEventDataStore"}
	call(r, r.eventName)
	count(blinds(r)) > 0
}

target(r) := sprintf("event data store %s", [store_name(r)]) if r.eventName == "UpdateEventDataStore"
else := sprintf("trail %s", [trail_name(r)])

kinds := {
	"read": "KMS reads (Decrypt, GenerateDataKey, Encrypt...) are no longer logged",
	"write": "KMS writes (key policies, key state, grants) are no longer logged",
}

# blinds: what the new selectors leave unlogged, judged over all of them.
blinds(r) := {why |
	sels := object.get(r.requestParameters, "eventSelectors", [])
	count(sels) > 0
	some kind, why in kinds
	not basic_covers(sels, kind)
} if count(object.get(r.requestParameters, "eventSelectors", [])) > 0
else := {why |
	sels := object.get(r.requestParameters, "advancedEventSelectors", [])
	some kind, why in kinds
	not advanced_covers(sels, kind)
} if count(object.get(r.requestParameters, "advancedEventSelectors", [])) > 0
else := set()

read_write := {"read": {"All", "ReadOnly"}, "write": {"All", "WriteOnly"}}

# basic_covers: a basic selector logs management events of that kind from kms.amazonaws.com.
basic_covers(sels, kind) if {
	some s in sels
	object.get(s, "includeManagementEvents", true) != false
	not "kms.amazonaws.com" in object.get(s, "excludeManagementEventSources", [])
	object.get(s, "readWriteType", "All") in read_write[kind]
}

read_only := {"read": "true", "write": "false"}

# advanced_covers: an advanced selector with eventCategory = Management logs that kind from
# kms.amazonaws.com.
advanced_covers(sels, kind) if {
	some a in sels
	management(a)
	not excludes_kms(a)
	readonly_allows(a, kind)
}

management(a) if {
	some f in a.fieldSelectors
	f.field == "eventCategory"
	"Management" in object.get(f, "equals", [])
}

excludes_kms(a) if {
	some f in a.fieldSelectors
	f.field == "eventSource"
	"kms.amazonaws.com" in object.get(f, "notEquals", [])
}

excludes_kms(a) if {
	some f in a.fieldSelectors
	f.field == "eventSource"
	sources := object.get(f, "equals", [])
	count(sources) > 0
	not "kms.amazonaws.com" in sources
}

readonly_allows(a, _) if not has_readonly(a)

has_readonly(a) if {
	some f in a.fieldSelectors
	f.field == "readOnly"
}

readonly_allows(a, kind) if {
	some f in a.fieldSelectors
	f.field == "readOnly"
	read_only[kind] in object.get(f, "equals", [])
}
