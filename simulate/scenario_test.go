package simulate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// TestScenarioFixtures runs every scenario under fixtures/scenarios: every step must end as
// its file expects.
func TestScenarioFixtures(t *testing.T) {
	files, _ := filepath.Glob("../fixtures/scenarios/*.yaml")
	if len(files) < 2 {
		t.Fatalf("only %d scenarios", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			sc, err := LoadScenarioFile(f)
			if err != nil {
				t.Fatal(err)
			}
			w, steps, err := sc.Build(1)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range Run(w, steps) {
				if !r.AsExpect {
					t.Errorf("step %d %s %q: %s (%s), expected %s", r.Step, r.Actor, r.Call, r.Outcome, r.Why, r.Expect)
				}
			}
		})
	}
}

// TestScenarioErrors: bad scenarios are clear errors naming the file, line and step.
func TestScenarioErrors(t *testing.T) {
	head := "account: \"111122223333\"\nregion: us-east-1\n"
	for name, tc := range map[string]struct{ text, want string }{
		"no steps":          {head, "no steps"},
		"bad account":       {"account: \"12\"\nregion: us-east-1\nsteps: [{advance: 1m}]\n", "12-digit"},
		"unknown field":     {head + "stepz: []\n", "stepz"},
		"unknown action":    {head + "steps:\n  - fly: {as: K}\n", "step 1: unknown field \"fly\""},
		"two actions":       {head + "steps:\n  - {get: {bucket: b, key: k}, put: {bucket: b, key: k}}\n", "one action per step"},
		"unknown actor":     {head + "steps:\n  - get: {as: Zed, bucket: b, key: k}\n", "unknown principal \"Zed\""},
		"bad duration":      {head + "steps:\n  - advance: soon\n", "advance \"soon\""},
		"bad kms call":      {head + "steps:\n  - kms: {call: explode, key: k}\n", "kms call \"explode\""},
		"copy without from": {head + "steps:\n  - copy: {bucket: b, key: k}\n", "step 1: copy: from: expected the source as BUCKET/KEY"},
		"bad method":        {head + "steps:\n  - fetch: {url: public, bucket: b, key: k, method: DELETE}\n", "method \"DELETE\": expected GET or PUT"},
		"huge size":         {head + "steps:\n  - put: {bucket: b, key: k, size: 99999999999}\n", "size 99999999999: expected 0 to 1073741824 bytes"},
		"decrypt, no blob":  {head + "steps:\n  - kms: {call: decrypt}\n", "decrypt needs ciphertext: NAME"},
		"missing policy":    {head + "keys:\n  - {id: k1, policy: nope.json}\nsteps: [{advance: 1m}]\n", "failed to read policy"},
		"malformed inline":  {head + "principals:\n  - arn: arn:aws:iam::111122223333:user/a\n    policies: [{Statement: [{Effect: allow}]}]\nsteps: [{advance: 1m}]\n", "invalid Effect"},
	} {
		fsys := fstest.MapFS{"s.yaml": {Data: []byte(tc.text)}}
		sc, err := LoadScenario(fsys, "s.yaml")
		if err == nil {
			_, _, err = sc.Build(1)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v (want %q)", name, err, tc.want)
		}
	}
}

// FuzzScenario: any scenario text loads and builds to a world and steps, or to an error;
// never a panic.
func FuzzScenario(f *testing.F) {
	files, _ := filepath.Glob("../fixtures/scenarios/*.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("account: \"111122223333\"\nregion: us-east-1\nsteps:\n  - copy: {from: a/b, bucket: c, key: d}\n  - kms: {call: decrypt, ciphertext: x}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := LoadScenario(fstest.MapFS{"s.yaml": {Data: data}}, "s.yaml")
		if err != nil {
			return
		}
		if w, _, err := sc.Build(1); err == nil {
			w.Close()
		}
	})
}

// A path a scenario gives is relative to its file, unless it is absolute.
func TestScenarioPolicyPaths(t *testing.T) {
	abs, err := filepath.Abs("../fixtures/policies/seed-key-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "local.json"), []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`), 0o644)
	text := "account: \"111122223333\"\nregion: us-east-1\nkeys:\n  - {id: k1, policy: " + abs + "}\n  - {id: k2, policy: local.json}\nsteps: [{advance: 1m}]\n"
	file := filepath.Join(dir, "s.yaml")
	os.WriteFile(file, []byte(text), 0o644)
	sc, err := LoadScenarioFile(file)
	if err != nil {
		t.Fatal(err)
	}
	w, _, err := sc.Build(1)
	if err != nil {
		t.Fatalf("absolute and relative policy paths: %v", err)
	}
	w.Close()
}
