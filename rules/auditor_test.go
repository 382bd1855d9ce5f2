package rules

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

const testKey = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// kmsItem is a KMS call by Alice at t0+sec, with the keytrail member audit adds.
func kmsItem(id, name string, sec int, extra string) Item {
	raw := fmt.Sprintf(`{"eventVersion":"1.08","eventSource":"kms.amazonaws.com","eventName":%q,"eventID":%q,
"eventTime":%q,"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/Alice","accountId":"111122223333"},
"sourceIPAddress":"192.0.2.1","requestParameters":{"keyId":%q},"recipientAccountId":"111122223333"%s}`,
		name, id, t0.Add(time.Duration(sec)*time.Second).Format(time.RFC3339), testKey, extra)
	return Item{
		Raw:   []byte(raw),
		Extra: map[string]any{"key": testKey, "principal": "arn:aws:iam::111122223333:user/Alice", "key_account": "111122223333"},
		Time:  t0.Add(time.Duration(sec) * time.Second),
		Ref:   Ref{EventID: id, EventName: name, File: "f.json"},
	}
}

func audit(t *testing.T, config map[string]any, items ...Item) []AuditFinding {
	t.Helper()
	ctx := context.Background()
	e, err := NewWithData(ctx, "trail", nil, config)
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.NewAuditor(ctx, AuditOptions{BatchSize: 2, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if err := a.Add(it); err != nil {
			t.Fatal(err)
		}
	}
	fs, st, err := a.Close()
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != int64(len(items)) {
		t.Fatalf("audited %d records, want %d", st.Records, len(items))
	}
	return fs
}

func ids(fs []AuditFinding) []string {
	var out []string
	for _, f := range fs {
		s := f.ID + "@" + f.EventID
		if f.Resolved {
			s += " resolved by " + f.ResolvedBy
		}
		out = append(out, s)
	}
	return out
}

func TestAuditorResolvesAcrossBatches(t *testing.T) {
	// Batches of 2: the DisableKey and the EnableKey that resolves it are evaluated apart, in
	// either order on two workers. The later DisableKey stays open.
	fs := audit(t, nil,
		kmsItem("d1", "DisableKey", 0, ""),
		kmsItem("x1", "DescribeKey", 1, ""),
		kmsItem("x2", "DescribeKey", 2, ""),
		kmsItem("e1", "EnableKey", 3, ""),
		kmsItem("d2", "DisableKey", 4, ""),
		kmsItem("c1", "CancelKeyDeletion", 5, ""), // resolves deletions only
	)
	got := fmt.Sprint(ids(fs))
	if want := "[key-disabled-or-deleted@d1 resolved by e1 key-disabled-or-deleted@d2]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestAuditorResolveMustComeLater(t *testing.T) {
	// Read out of order (another file): the EnableKey at t0 precedes the DisableKey at t0+9.
	fs := audit(t, nil, kmsItem("d1", "DisableKey", 9, ""), kmsItem("e1", "EnableKey", 0, ""))
	if got := fmt.Sprint(ids(fs)); got != "[key-disabled-or-deleted@d1]" {
		t.Errorf("got %s", got)
	}
}

func TestAuditorWindow(t *testing.T) {
	cfg := map[string]any{"thresholds": map[string]any{"access-denied-burst": map[string]any{"threshold": 3, "window": "1m"}}}
	denied := `,"errorCode":"AccessDenied","errorMessage":"no"`
	// 2 denials, a gap of more than a minute, then 3 within 20 s: one burst, on the third of
	// them, once per group (principal and address).
	fs := audit(t, cfg,
		kmsItem("a", "Decrypt", 0, denied),
		kmsItem("b", "Decrypt", 10, denied),
		kmsItem("c", "Decrypt", 100, denied),
		kmsItem("ok", "Decrypt", 105, ""),
		kmsItem("d", "Decrypt", 110, denied),
		kmsItem("e", "Decrypt", 120, denied),
	)
	if got := fmt.Sprint(ids(fs)); got != "[access-denied-burst@e access-denied-burst@e]" {
		t.Fatalf("got %s", got)
	}
	for _, f := range fs {
		if f.Count != 3 || f.Severity != SeverityWarning {
			t.Errorf("count %d severity %s: %s", f.Count, f.Severity, f.Message)
		}
	}
	// The default threshold (40 in 6 minutes) is not reached.
	if fs := audit(t, nil, kmsItem("a", "Decrypt", 0, denied), kmsItem("b", "Decrypt", 1, denied), kmsItem("c", "Decrypt", 2, denied)); len(fs) != 0 {
		t.Errorf("default threshold: %v", ids(fs))
	}
}

func TestAuditorFactsAndDedupe(t *testing.T) {
	// The use comes before the import in reading order: kept, because the fact is seen later.
	// The second Decrypt by the same principal is the same (key, principal, operation): dropped.
	fs := audit(t, nil,
		kmsItem("u1", "Decrypt", 0, ""),
		kmsItem("u2", "Decrypt", 1, ""),
		kmsItem("u3", "Encrypt", 2, ""),
		kmsItem("i1", "ImportKeyMaterial", 3, ""),
	)
	if got := fmt.Sprint(ids(fs)); got != "[imported-key-material@u1 imported-key-material@u3 imported-key-material@i1]" {
		t.Errorf("got %s", got)
	}
	// Without the import, uses are not reported.
	if fs := audit(t, nil, kmsItem("u1", "Decrypt", 0, "")); len(fs) != 0 {
		t.Errorf("got %v", ids(fs))
	}
}

func TestAuditorDisable(t *testing.T) {
	ctx := context.Background()
	e, err := New(ctx, "trail", nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.NewAuditor(ctx, AuditOptions{Disable: []string{"key-disabled-or-deleted"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Add(kmsItem("d1", "DisableKey", 0, "")); err != nil {
		t.Fatal(err)
	}
	fs, st, err := a.Close()
	if err != nil || len(fs) != 0 || st.Evaluated["key-disabled-or-deleted"] != 0 {
		t.Errorf("disabled rule ran: %v %v %v", fs, st, err)
	}
}

func TestAuditorBadRuleOutput(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/bad.rego", "package keytrail.trail.bad\n\ndeny contains {\"message\": \"no record\"} if { some r in input.records }\n")
	ctx := context.Background()
	e, err := New(ctx, "trail", []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.NewAuditor(ctx, AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a.Add(kmsItem("x", "Decrypt", 0, ""))
	if _, _, err := a.Close(); err == nil {
		t.Fatal("a finding without a record was accepted")
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
