package audit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/trail"
)

// TestFixtures runs fixtures/trails: every built-in rule has a firing and a quiet fixture.
func TestFixtures(t *testing.T) {
	files, err := filepath.Glob("../../fixtures/trails/*" + FixtureSuffix)
	if err != nil {
		t.Fatal(err)
	}
	fired, quiet := map[string]bool{}, map[string]bool{}
	for _, f := range files {
		ok, why, err := RunFixture(context.Background(), f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !ok {
			t.Errorf("%s: %s", f, why)
		}
		name := strings.TrimSuffix(filepath.Base(f), FixtureSuffix)
		rule, kind, _ := strings.Cut(name, ".")
		switch kind {
		case "fires":
			fired[rule] = true
		case "quiet":
			quiet[rule] = true
		}
	}
	au, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	au.Close()
	for _, r := range au.Rules() {
		if !fired[r.ID] || !quiet[r.ID] {
			t.Errorf("rule %s needs fixtures/trails/%s.fires.json and .quiet.json (with %s beside them)", r.ID, r.ID, FixtureSuffix)
		}
	}
}

func TestFixtureMismatchIsReported(t *testing.T) {
	dir := t.TempDir()
	trailFile := filepath.Join(dir, "x.json")
	os.WriteFile(trailFile, []byte(`{"Records":[{"eventVersion":"1.08","eventSource":"kms.amazonaws.com","eventName":"DisableKey","eventID":"e1","eventTime":"2025-03-01T10:00:00Z","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/A","accountId":"111122223333"},"requestParameters":{"keyId":"arn:aws:kms:us-east-1:111122223333:key/k"}}]}`), 0o644)
	exp := filepath.Join(dir, "x"+FixtureSuffix)
	os.WriteFile(exp, []byte(`{"findings": [{"id": "key-disabled-or-deleted", "severity": "error", "eventID": "e1"}]}`), 0o644)
	ok, why, err := RunFixture(context.Background(), exp)
	if err != nil || ok {
		t.Fatalf("ok %v err %v", ok, err)
	}
	want := "missing: key-disabled-or-deleted error on e1; unexpected: key-disabled-or-deleted warning on e1"
	if why != want {
		t.Errorf("why = %q, want %q", why, want)
	}
}

// TestCorpusAudit audits the real records of ../shared/corpus/trail: the only findings are the
// four CloudTrail-tampering detonations of Stratus Red Team (and a deleted trail in
// cloudtrail2sightings' sample), one per record.
func TestCorpusAudit(t *testing.T) {
	dir := "../../../shared/corpus/trail"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("the shared corpus is absent (%v): skipping", err)
	}
	au, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := trail.ReadPaths([]string{dir}, trail.Options{KeepGoing: true}, au.Add)
	fs, _, err := au.Close()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, f := range fs {
		got[f.ID+" "+f.EventName]++
	}
	want := map[string]int{"trail-tampering DeleteTrail": 2, "trail-tampering PutEventSelectors": 1, "trail-tampering StopLogging": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("findings %v, want %v (%d records read)", got, want, st.Parsed)
	}
}
