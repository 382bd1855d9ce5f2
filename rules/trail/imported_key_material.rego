# METADATA
# title: Imported key material used or deleted
# description: |
#   Keys with imported key material (origin EXTERNAL) depend on a copy you keep: KMS cannot
#   recover it. ImportKeyMaterial is reported (info), DeleteImportedKeyMaterial and
#   DeleteExpiredKeyMaterial (KMS deleting material whose expiration passed) as errors: the key
#   is unusable until the same material is imported again. A cryptographic use of such a key is
#   reported once per key, principal and operation: the key is known to hold imported material
#   from an import or deletion record anywhere in the input, or from --data imported_keys.
# custom:
#   id: imported-key-material
#   severity: warning
#   select:
#     - eventSource: kms.amazonaws.com
#       eventName: [Decrypt, Encrypt, ReEncrypt, GenerateDataKey*, Sign, Verify, GenerateMac, VerifyMac, DeriveSharedSecret, ImportKeyMaterial, DeleteImportedKeyMaterial, DeleteExpiredKeyMaterial]
#   once_per: [keytrail.key, keytrail.principal, eventName]
package keytrail.trail.imported_key_material

import data.keytrail.trail.lib

imported_keys := object.get(lib.config, "imported_keys", [])

material_events := {"ImportKeyMaterial", "DeleteImportedKeyMaterial", "DeleteExpiredKeyMaterial"}

warn contains {"record": i, "severity": "info", "message": sprintf("%s imported key material into %s: the key depends on your copy of it", [lib.principal(r), lib.key(r)])} if {
	some i, r in input.records
	lib.kms(r, "ImportKeyMaterial")
}

deny contains {"record": i, "message": sprintf("%s deleted the imported key material of %s: the key cannot be used until the same material is imported again", [lib.principal(r), lib.key(r)])} if {
	some i, r in input.records
	lib.kms(r, "DeleteImportedKeyMaterial")
}

deny contains {"record": i, "message": sprintf("the imported key material of %s expired and KMS deleted it: the key cannot be used until the same material is imported again", [lib.key(r)])} if {
	some i, r in input.records
	lib.kms(r, "DeleteExpiredKeyMaterial")
}

fact contains {"record": i, "key": lib.key(r)} if {
	some i, r in input.records
	r.eventSource == "kms.amazonaws.com"
	r.eventName in material_events
	lib.succeeded(r)
}

use(i, r) := {
	"record": i, "severity": "info",
	"dedupe": concat(" ", [lib.key(r), lib.principal(r), r.eventName]),
	"message": sprintf("%s used %s, which holds imported key material, for %s%s (reported once per key, principal and operation)", [lib.principal(r), lib.key(r), r.eventName, lib.outcome(r)]),
}

# Keys --data lists: no fact needed.
warn contains use(i, r) if {
	some i, r in input.records
	lib.crypto(r)
	lib.listed(imported_keys, lib.key(r))
}

# Other keys: kept only if a record shows the key holds imported material.
warn contains object.union(use(i, r), {"needs": lib.key(r)}) if {
	some i, r in input.records
	lib.crypto(r)
	lib.key(r) != ""
	not lib.listed(imported_keys, lib.key(r))
}
