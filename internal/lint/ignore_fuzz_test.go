package lint

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadIgnore: any file content loads or fails with an error; never a panic.
func FuzzLoadIgnore(f *testing.F) {
	f.Add([]byte("- path: \"keys/*.json\"\n  check: wildcard-principal\n  statement: Everyone\n  reason: reviewed\n"))
	f.Add([]byte("- path: x\n  check: y\n  reason: [1, {a: b}]\n"))
	f.Add([]byte("&a [*a]"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "ignore.yaml")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		LoadIgnore(p)
	})
}
