package audit

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/keytrail/keytrail/rules"
	"github.com/keytrail/keytrail/trail"
)

// FuzzAudit reads any input as a trail and audits it with every built-in rule: the reader
// may refuse it, the audit must never fail or panic on what the reader accepts.
//
// With coverage guidance (plain go test -fuzz) this stalls after the seeds: OPA's size makes
// each instrumented run very slow. Without it, it runs ~6,000 inputs/s:
//
//	go test -c -o /tmp/audit.test ./trail/audit && (cd trail/audit &&
//	  /tmp/audit.test -test.run XXX -test.fuzz FuzzAudit -test.fuzztime 60s -test.fuzzcachedir /tmp/fz)
func FuzzAudit(f *testing.F) {
	for _, name := range []string{"key-disabled-or-deleted.quiet.json", "trail-tampering.fires.json", "root-or-anonymous-kms.fires.json", "key-policy-changed.fires.json"} {
		if b, err := os.ReadFile(filepath.Join("../../fixtures/trails", name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"eventSource":"kms.amazonaws.com","eventName":"PutKeyPolicy","requestParameters":{"policy":"{"}}`))
	f.Add([]byte(`{"eventSource":"kms.amazonaws.com","eventName":"Decrypt","userIdentity":"x","resources":[1,{"type":"AWS::KMS::Key","ARN":7}]}`))
	f.Add([]byte(`{"eventSource":"cloudtrail.amazonaws.com","eventName":"PutEventSelectors","requestParameters":{"eventSelectors":"all","advancedEventSelectors":[{"fieldSelectors":7}]}}`))
	ctx := context.Background()
	config := map[string]any{"key_users": map[string]any{"*": []any{"arn:aws:iam::*:role/app"}}, "s3_keys": []any{"*"}, "sse_kms_buckets": []any{"*"}}
	e, err := rules.NewWithData(ctx, "trail", nil, config)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		au, err := NewWithEngine(ctx, e, Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, rerr := trail.Read(bytes.NewReader(data), "fuzz", trail.Options{}, au.Add)
		_, _, err = au.Close()
		if err != nil {
			t.Fatalf("audit failed on what the reader accepted (read error %v): %v", rerr, err)
		}
	})
}

// FuzzLoadData: any --data file is loaded or refused with an error, never a panic.
func FuzzLoadData(f *testing.F) {
	f.Add([]byte("trusted_accounts: [\"111122223333\"]\nkey_users:\n  \"*\": [a]\n"))
	f.Add([]byte(`{"thresholds": {"access-denied-burst": {"threshold": 0}}}`))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("key_users: {k: [1]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "d.yaml")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := LoadData([]string{p})
		if err != nil {
			return
		}
		if _, err := New(context.Background(), Options{Config: cfg}); err != nil && !isConfigError(err) {
			t.Fatalf("loaded data the rules then refused unexpectedly: %v", err)
		}
	})
}

func isConfigError(err error) bool {
	return bytes.Contains([]byte(err.Error()), []byte("thresholds"))
}
