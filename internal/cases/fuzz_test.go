package cases

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode: any case-file text decodes or fails with an error; decoded cases build or fail
// with an error, and the ones that build evaluate. Nothing panics.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("../../fixtures/cases/*.json")
	for _, p := range files[:min(len(files), 4)] {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`[{"id":"a","principal":"anonymous","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resourcePolicy":"{\"Statement\":{}}"}]`))
	f.Add([]byte(`{"cases":[{"id":"a","principal":"arn:aws:iam::111122223333:user/a","action":"kms:Decrypt","resource":"*","grants":[{"GranteePrincipal":"x"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := Decode(filepath.Join(t.TempDir(), "f.json"), data)
		if err != nil {
			return
		}
		for _, c := range cs {
			r := c.Run()
			if r.Err == nil && r.Explanation == nil {
				t.Fatalf("case %q: no error and no explanation", c.ID)
			}
			r.Check()
		}
	})
}
