package kms

import (
	"testing"
)

func TestGrants(t *testing.T) {
	app := "arn:aws:sts::526262051452:assumed-role/app/s1"
	ops := "arn:aws:iam::526262051452:role/ops"
	k, key := seedKMS(t, iam{})
	ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::kms-bogo-test/eiffel.png"}
	blob, _, err := k.Encrypt(call(t, userK), key.ID, []byte("data key"), ec)
	if err != nil {
		t.Fatal(err)
	}
	// The app's session may not decrypt until K grants its role Decrypt within the context.
	if _, _, err := k.Decrypt(call(t, app), blob, ec, ""); code(err) != "AccessDeniedException" {
		t.Fatalf("before the grant: %v", err)
	}
	id, token, err := k.CreateGrant(call(t, userK), key.ID, GrantRequest{Grantee: "arn:aws:iam::526262051452:role/app", RetiringPrincipal: ops,
		Operations: []string{"Decrypt", "CreateGrant"}, EncryptionContextSubset: ec})
	if err != nil || id == "" || token == "" {
		t.Fatalf("CreateGrant: %v", err)
	}
	if _, _, err := k.Decrypt(call(t, app), blob, ec, ""); err != nil {
		t.Errorf("grantee in context: %v", err)
	}
	other, _, _ := k.Encrypt(call(t, userK), key.ID, []byte("x"), map[string]string{"aws:s3:arn": "arn:aws:s3:::kms-bogo-test/other.png"})
	if _, _, err := k.Decrypt(call(t, app), other, map[string]string{"aws:s3:arn": "arn:aws:s3:::kms-bogo-test/other.png"}, ""); code(err) != "AccessDeniedException" {
		t.Errorf("grantee outside the constraint: %v", err)
	}
	// A grantee may delegate no more than it holds: Encrypt is not in its grant.
	if _, _, err := k.CreateGrant(call(t, app), key.ID, GrantRequest{Grantee: "arn:aws:iam::526262051452:role/worker", Operations: []string{"Encrypt"}, EncryptionContextSubset: ec}); code(err) != "AccessDeniedException" {
		t.Errorf("child grant with more operations: %v", err)
	}
	if gs, err := k.ListGrants(call(t, userK), key.ID); err != nil || len(gs) != 1 {
		t.Errorf("ListGrants: %d %v", len(gs), err)
	}
	// Bob (no IAM policy) can neither create nor retire grants.
	if _, _, err := k.CreateGrant(call(t, "arn:aws:iam::526262051452:user/Bob"), key.ID, GrantRequest{Grantee: "arn:aws:iam::526262051452:user/Bob", Operations: []string{"Decrypt"}}); code(err) != "AccessDeniedException" {
		t.Errorf("Bob CreateGrant: %v", err)
	}
	if err := k.RetireGrant(call(t, "arn:aws:iam::444455556666:user/Eve"), key.ID, id, ""); code(err) != "AccessDeniedException" {
		t.Errorf("unrelated principal retiring: %v", err)
	}
	// The retiring principal (a session of role/ops) may retire it; then the grantee is back to nothing.
	if err := k.RetireGrant(call(t, "arn:aws:sts::526262051452:assumed-role/ops/admin"), key.ID, id, ""); err != nil {
		t.Fatalf("retire: %v", err)
	}
	if _, _, err := k.Decrypt(call(t, app), blob, ec, ""); code(err) != "AccessDeniedException" {
		t.Errorf("after retiring: %v", err)
	}
	if err := k.RevokeGrant(call(t, userK), key.ID, id); code(err) != "NotFoundException" {
		t.Errorf("revoking a retired grant: %v", err)
	}
}

func TestPutKeyPolicy(t *testing.T) {
	k, key := seedKMS(t, iam{})
	// A policy that gives K nothing: KMS's lockout safety check refuses it.
	lockout := []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::526262051452:role/other"},"Action":"kms:*","Resource":"*"}]}`)
	err := k.PutKeyPolicy(call(t, userK), key.ID, lockout, false)
	if e, ok := err.(*Error); !ok || e.Code != "MalformedPolicyDocumentException" || e.Message != "The new key policy will not allow you to update the key policy in the future." {
		t.Errorf("lockout: %v", err)
	}
	if err := k.PutKeyPolicy(call(t, userK), key.ID, []byte(`{"Statement": [`), false); code(err) != "MalformedPolicyDocumentException" {
		t.Errorf("malformed: %v", err)
	}
	// Bypassing the check is allowed, and takes effect: K is then locked out.
	if err := k.PutKeyPolicy(call(t, userK), key.ID, lockout, true); err != nil {
		t.Fatal(err)
	}
	if err := k.PutKeyPolicy(call(t, userK), key.ID, lockout, true); code(err) != "AccessDeniedException" {
		t.Errorf("after the lockout: %v", err)
	}
}

// RetireGrant names a grant by its token alone (KMS: "use a grant token, or both the grant ID
// and a key identifier"); a token KMS never gave, or one that contradicts the key or grant id
// given with it, is InvalidGrantTokenException.
func TestRetireGrantByToken(t *testing.T) {
	ops := "arn:aws:iam::526262051452:role/ops"
	k, key := seedKMS(t, iam{})
	var events []Event
	k.OnCall = func(ev Event) { events = append(events, ev) }
	id, token, err := k.CreateGrant(call(t, userK), key.ID, GrantRequest{Grantee: "arn:aws:iam::526262051452:role/app", RetiringPrincipal: ops, Operations: []string{"Decrypt"}})
	if err != nil {
		t.Fatal(err)
	}
	retirer := call(t, "arn:aws:sts::526262051452:assumed-role/ops/admin")
	for _, bad := range []struct{ ref, id, token string }{{"", "", "AQpAM2nope"}, {"", "f00", token}, {"other-key", "", token}} {
		if err := k.RetireGrant(retirer, bad.ref, bad.id, bad.token); code(err) != "InvalidGrantTokenException" {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if err := k.RetireGrant(call(t, "arn:aws:iam::444455556666:user/Eve"), "", "", token); code(err) != "AccessDeniedException" {
		t.Errorf("a stranger with the token: %v", err)
	}
	events = nil
	if err := k.RetireGrant(retirer, key.ARN, "", token); err != nil { // the key by another name
		t.Fatalf("retire by token: %v", err)
	}
	if ev := events[0]; !ev.NoParameters || ev.GrantID != id || ev.Response == nil || ev.Response.KeyID != key.ARN || ev.KeyARN != key.ARN {
		t.Errorf("event: %+v", ev)
	}
	if gs, _ := k.ListGrants(call(t, userK), key.ID); len(gs) != 0 {
		t.Errorf("%d grants left", len(gs))
	}
	if err := k.RetireGrant(retirer, "", "", token); code(err) != "NotFoundException" {
		t.Errorf("retiring twice: %v", err)
	}
}
