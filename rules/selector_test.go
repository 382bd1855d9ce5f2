package rules

import "testing"

func TestSelectorConditions(t *testing.T) {
	config := map[string]any{"s3_keys": []any{"arn:aws:kms:*:111122223333:key/a*"}, "key_users": map[string]any{"k2": []any{"p"}}}
	sel := Selector{
		"eventSource":  {"kms.amazonaws.com"},
		"keytrail.key": {"data.s3_keys", "data.key_users", "data.absent"},
		"requestParameters.encryptionContext.aws:s3:arn": nil,
	}.expand(config).compile()
	if sel[0].path != "eventSource" || sel[1].path != "keytrail.key" {
		t.Fatalf("cheap conditions not first: %v", sel)
	}
	for _, tc := range []struct {
		raw, key string
		want     bool
	}{
		{`{"eventSource":"kms.amazonaws.com","requestParameters":{"encryptionContext":{"app":"x"}}}`, "arn:aws:kms:us-east-1:111122223333:key/abc", true},
		{`{"eventSource":"kms.amazonaws.com"}`, "k2", true},
		{`{"eventSource":"kms.amazonaws.com","requestParameters":{"encryptionContext":{"aws:s3:arn":"arn:aws:s3:::b/k"}}}`, "k2", false},
		{`{"eventSource":"kms.amazonaws.com","requestParameters":{"encryptionContext":{"aws:s3:arn":null}}}`, "k2", true},
		{`{"eventSource":"kms.amazonaws.com"}`, "arn:aws:kms:us-east-1:999988887777:key/abc", false},
		{`{"eventSource":"s3.amazonaws.com"}`, "k2", false},
	} {
		it := Item{Raw: []byte(tc.raw), Extra: map[string]any{"key": tc.key}}
		l := lookup{a: &Auditor{}}
		l.reset(&it)
		if got := sel.matches(&l); got != tc.want {
			t.Errorf("%s key %s: got %v, want %v", tc.raw, tc.key, got, tc.want)
		}
	}
}

func TestOncePerCounts(t *testing.T) {
	cfg := map[string]any{"key_users": map[string]any{testKey: []any{"arn:aws:iam::111122223333:role/app"}}}
	fs := audit(t, cfg,
		kmsItem("a", "Decrypt", 0, ""),
		kmsItem("b", "Decrypt", 1, ""),
		kmsItem("c", "Decrypt", 2, ""),
		kmsItem("d", "Decrypt", 3, `,"errorCode":"AccessDenied"`),
	)
	var got []string
	for _, f := range fs {
		if f.ID == "unexpected-key-user" {
			got = append(got, f.EventID)
			if f.EventID == "a" && f.Count != 3 {
				t.Errorf("a: count %d, want 3: %s", f.Count, f.Message)
			}
		}
	}
	if len(got) != 2 || got[0] != "a" || got[1] != "d" {
		t.Errorf("findings on %v, want [a d] (the denied call is another outcome)", got)
	}
}
