package simulate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/keytrail/keytrail/policy"
	"github.com/keytrail/keytrail/simulate/kms"
)

// kmsStep builds a scenario's direct KMS call (kms: {call: ..., key: ...}).
func (b *stepBuilder) kmsStep(st *Step, args stepArgs, p policy.Principal, where string) error {
	st.Call = "aws kms " + args.Call + " --key-id " + args.Key
	call := kms.Call{Caller: p}
	switch args.Call {
	case "disable-key", "enable-key":
		st.Do = func(w *World) (string, error) {
			return "the key is " + map[string]string{"disable-key": "Disabled", "enable-key": "Enabled"}[args.Call],
				w.KMS.SetState(call, args.Key, args.Call == "enable-key")
		}
	case "schedule-key-deletion":
		st.Do = func(w *World) (string, error) {
			t, err := w.KMS.ScheduleKeyDeletion(call, args.Key, args.Days)
			return "deletion on " + t.Format(time.RFC3339), err
		}
	case "cancel-key-deletion":
		st.Do = func(w *World) (string, error) { return "the key is Disabled", w.KMS.CancelKeyDeletion(call, args.Key) }
	case "create-grant":
		st.Call += " --grantee-principal " + args.Grantee + " --operations " + strings.Join(args.Operations, " ")
		st.Do = func(w *World) (string, error) {
			id, token, err := w.KMS.CreateGrant(call, args.Key, kms.GrantRequest{Grantee: args.Grantee, RetiringPrincipal: args.Retiring,
				Operations: args.Operations, Name: args.Name, EncryptionContextSubset: args.Subset, EncryptionContextEquals: args.Equals})
			if err != nil {
				return "", err
			}
			if args.Name != "" {
				b.grants[args.Name] = grantNames{id: id, token: token}
			}
			return "grant " + id[:16] + "...", nil
		}
	case "retire-grant", "revoke-grant":
		name, byToken := args.Grant, args.GrantToken != ""
		switch {
		case byToken && args.Call == "revoke-grant":
			return fmt.Errorf("%s: revoke-grant takes grant: NAME (a grant token retires, it does not revoke)", where)
		case byToken && args.Grant != "":
			return fmt.Errorf("%s: retire-grant takes grant: NAME or grant-token: NAME, not both", where)
		case byToken:
			name = args.GrantToken
			st.Call = "aws kms retire-grant --grant-token " + name
		default:
			st.Call += " --grant-id " + name
		}
		st.Do = func(w *World) (string, error) {
			g, ok := b.grants[name]
			if !ok {
				return "", fmt.Errorf("%s: no grant named %q (create-grant with name: first)", where, name)
			}
			switch {
			case byToken:
				return "the grant is retired", w.KMS.RetireGrant(call, "", "", g.token)
			case args.Call == "retire-grant":
				return "the grant is retired", w.KMS.RetireGrant(call, args.Key, g.id, "")
			}
			return "the grant is revoked", w.KMS.RevokeGrant(call, args.Key, g.id)
		}
	case "put-key-policy":
		var text []byte
		if args.Policy.Kind == yaml.ScalarNode {
			data, err := b.sc.read(b.sc.path(args.Policy.Value))
			if err != nil {
				return fmt.Errorf("%s: failed to read policy: %w", where, err)
			}
			text = data
		} else {
			var v any
			if err := args.Policy.Decode(&v); err != nil {
				return fmt.Errorf("%s: policy: %w", where, err)
			}
			text, _ = json.Marshal(v)
		}
		st.Do = func(w *World) (string, error) {
			return "the key policy is replaced", w.KMS.PutKeyPolicy(call, args.Key, text, args.Bypass)
		}
	case "generate-data-key", "encrypt", "decrypt", "re-encrypt":
		return b.kmsCrypto(st, args, call, where)
	default:
		return fmt.Errorf("%s: kms call %q: expected generate-data-key, encrypt, decrypt, re-encrypt, disable-key, enable-key, schedule-key-deletion, cancel-key-deletion, create-grant, retire-grant, revoke-grant or put-key-policy", where, args.Call)
	}
	return nil
}

// grantNames is what CreateGrant returned for a grant a step named.
type grantNames struct{ id, token string }

// cipherText is a ciphertext blob a step saved by name, with the plaintext behind it when the
// scenario gave it (encrypt), to check decrypt against.
type cipherText struct {
	blob, plain []byte
}

// kmsCrypto builds generate-data-key, encrypt, decrypt and re-encrypt steps. The first two and
// re-encrypt save their ciphertext under name:; decrypt and re-encrypt take it as ciphertext:.
func (b *stepBuilder) kmsCrypto(st *Step, args stepArgs, call kms.Call, where string) error {
	saved := func() (cipherText, error) {
		ct, ok := b.blobs[args.Ciphertext]
		if !ok {
			return ct, fmt.Errorf("%s: no ciphertext named %q (generate-data-key, encrypt or re-encrypt with name: first)", where, args.Ciphertext)
		}
		return ct, nil
	}
	save := func(ct cipherText) {
		if args.Name != "" {
			b.blobs[args.Name] = ct
		}
	}
	if (args.Call == "decrypt" || args.Call == "re-encrypt") && args.Ciphertext == "" {
		return fmt.Errorf("%s: %s needs ciphertext: NAME", where, args.Call)
	}
	switch args.Call {
	case "generate-data-key":
		spec := args.KeySpec
		if spec == "" && args.Bytes == 0 {
			spec = "AES_256"
		}
		st.Do = func(w *World) (string, error) {
			dk, err := w.KMS.GenerateDataKey(call, args.Key, args.Context, spec, args.Bytes)
			if err != nil {
				return "", err
			}
			defer dk.Zero()
			save(cipherText{blob: dk.CiphertextBlob})
			return fmt.Sprintf("a %d-byte data key under %s", len(dk.Plaintext), dk.KeyARN), nil
		}
	case "encrypt":
		plain := []byte(args.Body)
		st.Do = func(w *World) (string, error) {
			blob, arn, err := w.KMS.Encrypt(call, args.Key, plain, args.Context)
			if err != nil {
				return "", err
			}
			save(cipherText{blob: blob, plain: plain})
			return fmt.Sprintf("%d bytes encrypted under %s", len(plain), arn), nil
		}
	case "decrypt":
		st.Call = "aws kms decrypt --ciphertext-blob " + args.Ciphertext
		if args.Key != "" {
			st.Call += " --key-id " + args.Key
		}
		st.Do = func(w *World) (string, error) {
			ct, err := saved()
			if err != nil {
				return "", err
			}
			pt, arn, err := w.KMS.Decrypt(call, ct.blob, args.Context, args.Key)
			if err != nil {
				return "", err
			}
			defer clear(pt)
			if ct.plain != nil && !bytes.Equal(pt, ct.plain) {
				return "", fmt.Errorf("decrypt returned a different plaintext from what was encrypted")
			}
			return fmt.Sprintf("%d bytes, decrypted under %s", len(pt), arn), nil
		}
	case "re-encrypt":
		st.Call = "aws kms re-encrypt --ciphertext-blob " + args.Ciphertext + " --destination-key-id " + args.DestKey
		st.Do = func(w *World) (string, error) {
			ct, err := saved()
			if err != nil {
				return "", err
			}
			blob, src, dst, err := w.KMS.ReEncrypt(call, ct.blob, args.Context, args.DestKey, args.DestContext)
			if err != nil {
				return "", err
			}
			save(cipherText{blob: blob, plain: ct.plain})
			return fmt.Sprintf("re-encrypted from %s to %s", src, dst), nil
		}
	}
	return nil
}
