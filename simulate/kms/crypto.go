package kms

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"io"
)

// The ciphertext blob: "KTCB", version 1, the key ARN (uint16 length), the key-material id
// (16 bytes), a 12-byte nonce, and the AES-256-GCM ciphertext and tag. The associated data is
// the blob's prefix up to the nonce followed by the encryption context, serialized as the AWS
// Encryption SDK does (count, then each pair sorted by key, every string uint16-length
// prefixed), so {"ab":"c"} and {"a":"bc"} differ.
const (
	blobMagic   = "KTCB"
	blobVersion = 1
)

// appendContext appends an encryption context, length-prefixed and sorted.
func appendContext(b []byte, ec map[string]string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(ec)))
	for _, k := range sortedKeys(ec) {
		b = binary.BigEndian.AppendUint16(b, uint16(len(k)))
		b = append(b, k...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(ec[k])))
		b = append(b, ec[k]...)
	}
	return b
}

// aead is the key's AES-256-GCM, made once: its material never changes.
func (key *Key) aead() cipher.AEAD {
	if key.gcm == nil {
		blk, err := aes.NewCipher(key.material)
		if err != nil {
			panic(err) // 32-byte material: cannot fail
		}
		if key.gcm, err = cipher.NewGCM(blk); err != nil {
			panic(err)
		}
	}
	return key.gcm
}

// blobPrefix appends the blob's prefix up to the nonce.
func blobPrefix(b []byte, key *Key) []byte {
	b = append(b, blobMagic...)
	b = append(b, blobVersion)
	b = binary.BigEndian.AppendUint16(b, uint16(len(key.ARN)))
	b = append(b, key.ARN...)
	return append(b, key.materialID[:]...)
}

// seal encrypts plaintext under the key, binding the context.
func (k *KMS) seal(key *Key, plaintext []byte, ec map[string]string) ([]byte, error) {
	ad := appendContext(blobPrefix(k.ad[:0], key), ec)
	k.ad = ad
	n := len(blobMagic) + 3 + len(key.ARN) + len(key.materialID)
	out := make([]byte, n, n+12+len(plaintext)+16)
	copy(out, ad[:n])
	out = out[:n+12]
	if _, err := io.ReadFull(k.Rand, out[n:]); err != nil {
		return nil, err
	}
	return key.aead().Seal(out, out[n:], plaintext, ad), nil
}

var errInvalidCiphertext = &Error{Code: "InvalidCiphertextException"} // KMS gives no message

// blobKey returns the key a blob names, or an InvalidCiphertextException when the blob is
// malformed or names no key of this KMS.
func (k *KMS) blobKey(blob []byte) (*Key, error) {
	if len(blob) < 7 || string(blob[:4]) != blobMagic || blob[4] != blobVersion {
		return nil, errInvalidCiphertext
	}
	n := int(binary.BigEndian.Uint16(blob[5:7]))
	if len(blob) < 7+n+16+12+16 {
		return nil, errInvalidCiphertext
	}
	key := k.byARN[string(blob[7:7+n])]
	if key == nil {
		return nil, errInvalidCiphertext
	}
	return key, nil
}

// open decrypts a blob with the key and context; any mismatch is InvalidCiphertextException.
func (k *KMS) open(key *Key, blob []byte, ec map[string]string) ([]byte, error) {
	n := int(binary.BigEndian.Uint16(blob[5:7]))
	prefixEnd := 7 + n + 16
	if string(blob[7:7+n]) != key.ARN || !bytes.Equal(blob[7+n:prefixEnd], key.materialID[:]) {
		return nil, errInvalidCiphertext
	}
	ad := appendContext(append(k.ad[:0], blob[:prefixEnd]...), ec)
	k.ad = ad
	pt, err := key.aead().Open(nil, blob[prefixEnd:prefixEnd+12], blob[prefixEnd+12:], ad)
	if err != nil {
		return nil, errInvalidCiphertext
	}
	return pt, nil
}

// DataKey is GenerateDataKey's result. Zero the plaintext when done with it.
type DataKey struct {
	Plaintext      []byte
	CiphertextBlob []byte
	KeyARN         string
}

// Zero clears the plaintext data key.
func (d *DataKey) Zero() { clear(d.Plaintext) }

// GenerateDataKey returns a new data key, in plaintext and encrypted under the key with the
// context. Give keySpec (AES_128 or AES_256) or numberOfBytes (1 to 1024), not both.
func (k *KMS) GenerateDataKey(c Call, ref string, ec map[string]string, keySpec string, numberOfBytes int) (dk *DataKey, err error) {
	var arn string
	defer func() {
		p := Params{KeyID: ref, EncryptionContext: ec, KeySpec: keySpec, NumberOfBytes: numberOfBytes}
		k.emit(Event{Call: c, Name: "GenerateDataKey", KeyARN: arn, Parameters: p, Err: err, ReadOnly: true})
	}()
	size := numberOfBytes
	switch {
	case keySpec != "" && numberOfBytes != 0:
		return nil, errorf("ValidationException", "Please specify either number of bytes or key spec.")
	case keySpec == "AES_256":
		size = 32
	case keySpec == "AES_128":
		size = 16
	case keySpec != "":
		return nil, errorf("ValidationException", "1 validation error detected: Value '%s' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]", keySpec)
	case numberOfBytes < 1 || numberOfBytes > 1024:
		return nil, errorf("ValidationException", "Please specify either number of bytes or key spec.")
	}
	key, err := k.lookup(ref)
	if err != nil {
		return nil, err
	}
	arn = key.ARN
	if err := k.authorize(c, "kms:GenerateDataKey", key, ec); err != nil {
		return nil, err
	}
	if err := usable(key); err != nil {
		return nil, err
	}
	dk = &DataKey{Plaintext: make([]byte, size), KeyARN: key.ARN}
	if _, err := io.ReadFull(k.Rand, dk.Plaintext); err != nil {
		return nil, err
	}
	if dk.CiphertextBlob, err = k.seal(key, dk.Plaintext, ec); err != nil {
		dk.Zero()
		return nil, err
	}
	return dk, nil
}

// Encrypt encrypts up to 4,096 bytes under the key with the context.
func (k *KMS) Encrypt(c Call, ref string, plaintext []byte, ec map[string]string) (blob []byte, keyARN string, err error) {
	defer func() {
		k.emit(Event{Call: c, Name: "Encrypt", KeyARN: keyARN, Parameters: Params{KeyID: ref, EncryptionAlgorithm: "SYMMETRIC_DEFAULT", EncryptionContext: ec}, Err: err, ReadOnly: true})
	}()
	if len(plaintext) == 0 || len(plaintext) > 4096 {
		return nil, "", errorf("ValidationException", "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
	}
	key, err := k.lookup(ref)
	if err != nil {
		return nil, "", err
	}
	keyARN = key.ARN
	if err := k.authorize(c, "kms:Encrypt", key, ec); err != nil {
		return nil, keyARN, err
	}
	if err := usable(key); err != nil {
		return nil, keyARN, err
	}
	blob, err = k.seal(key, plaintext, ec)
	return blob, keyARN, err
}

// Decrypt decrypts a blob with the context. keyRef is optional; when given it must name the
// key the blob was encrypted under (else IncorrectKeyException).
func (k *KMS) Decrypt(c Call, blob []byte, ec map[string]string, keyRef string) (pt []byte, keyARN string, err error) {
	defer func() {
		p := Params{KeyID: keyRef, EncryptionAlgorithm: "SYMMETRIC_DEFAULT", EncryptionContext: ec}
		k.emit(Event{Call: c, Name: "Decrypt", KeyARN: keyARN, Parameters: p, Err: err, ReadOnly: true})
	}()
	key, err := k.blobKey(blob)
	if err != nil {
		return nil, "", err
	}
	if keyRef != "" {
		named, err := k.lookup(keyRef)
		if err != nil {
			return nil, "", err
		}
		if named != key {
			return nil, "", errorf("IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.")
		}
	}
	keyARN = key.ARN
	if err := k.authorize(c, "kms:Decrypt", key, ec); err != nil {
		return nil, keyARN, err
	}
	if err := usable(key); err != nil {
		return nil, keyARN, err
	}
	pt, err = k.open(key, blob, ec)
	return pt, keyARN, err
}

// ReEncrypt decrypts a blob under its key and encrypts the plaintext under another key (and
// context) without returning it: authorized as kms:ReEncryptFrom on the source key and
// kms:ReEncryptTo on the destination key, as KMS documents.
func (k *KMS) ReEncrypt(c Call, blob []byte, srcEC map[string]string, destRef string, destEC map[string]string) (out []byte, srcARN, destARN string, err error) {
	defer func() {
		k.emit(Event{Call: c, Name: "ReEncrypt", KeyARN: destARN, SourceKeyARN: srcARN, Parameters: Params{
			SourceEncryptionAlgorithm: "SYMMETRIC_DEFAULT", SourceEncryptionContext: srcEC, DestinationKeyID: destRef,
			DestinationEncryptionAlgorithm: "SYMMETRIC_DEFAULT", DestinationEncryptionContext: destEC}, Err: err, ReadOnly: true})
	}()
	src, err := k.blobKey(blob)
	if err != nil {
		return nil, "", "", err
	}
	srcARN = src.ARN
	dest, err := k.lookup(destRef)
	if err != nil {
		return nil, srcARN, "", err
	}
	destARN = dest.ARN
	if err := k.authorize(c, "kms:ReEncryptFrom", src, srcEC); err != nil {
		return nil, srcARN, destARN, err
	}
	if err := k.authorize(c, "kms:ReEncryptTo", dest, destEC); err != nil {
		return nil, srcARN, destARN, err
	}
	for _, key := range []*Key{src, dest} {
		if err := usable(key); err != nil {
			return nil, srcARN, destARN, err
		}
	}
	pt, err := k.open(src, blob, srcEC)
	if err != nil {
		return nil, srcARN, destARN, err
	}
	defer clear(pt)
	out, err = k.seal(dest, pt, destEC)
	return out, srcARN, destARN, err
}
