package rules

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/open-policy-agent/opa/v1/tester"
)

// TestResult is one Rego test's outcome.
type TestResult struct {
	Package, Name string
	Pass          bool
	Error         string
}

// Test runs the *_test.rego files under dirs, like `opa test`, with the built-in rules of set
// loaded beside them (so users' tests can import data.keytrail.<set>.lib). With no dirs it
// runs the built-in rules' own tests.
func Test(ctx context.Context, set string, dirs []string) ([]TestResult, error) {
	tmp, err := os.MkdirTemp("", "keytrail-rules")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	err = fs.WalkDir(builtin, set, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if len(dirs) > 0 && filepath.Ext(p) == ".rego" && len(p) > 10 && p[len(p)-10:] == "_test.rego" {
			return nil // users' runs load the built-in rules, not their tests
		}
		data, err := builtin.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(tmp, p)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		return nil, err
	}
	results, err := tester.Run(ctx, append([]string{tmp}, dirs...)...)
	if err != nil {
		return nil, fmt.Errorf("failed to run rule tests: %w", err)
	}
	var out []TestResult
	for _, r := range results {
		tr := TestResult{Package: r.Package, Name: r.Name, Pass: r.Pass()}
		if r.Error != nil {
			tr.Error = r.Error.Error()
		}
		out = append(out, tr)
	}
	return out, nil
}
