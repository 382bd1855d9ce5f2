package rules

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestEngineBuiltinAndUser(t *testing.T) {
	dir := t.TempDir()
	user := `package main

deny contains msg if {
	some st in input.statements
	st.sid == "Forbidden"
	msg := "statement Forbidden is forbidden here"
}

warn contains {"id": "team-tag", "severity": "info", "message": "tag your policies", "statement": 0} if {
	not input.tagged
}
`
	if err := os.WriteFile(filepath.Join(dir, "team.rego"), []byte(user), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := New(context.Background(), "lint", []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range e.Rules() {
		if r.ID == "notprincipal-allow" && r.Severity == SeverityError && r.Source == "built-in" && r.Title != "" {
			found = true
		}
	}
	if !found {
		t.Fatalf("built-in rule notprincipal-allow not listed with its metadata: %+v", e.Rules())
	}
	input := map[string]any{"statements": []any{
		map[string]any{"sid": "Forbidden", "ref": "Forbidden", "effect": "Allow", "line": 3, "col": 5, "principal": map[string]any{"not": true}},
	}}
	fs, err := e.Eval(context.Background(), input, "p.json")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"notprincipal-allow": "error", "user": "error", "team-tag": "info"}
	if len(fs) != len(want) {
		t.Fatalf("findings %+v", fs)
	}
	for _, f := range fs {
		if want[f.ID] != f.Severity || f.File != "p.json" {
			t.Errorf("unexpected finding %+v", f)
		}
	}
}

func TestEngineRejectsBadRules(t *testing.T) {
	for name, src := range map[string]string{
		"syntax":     "package main\ndeny contains x if {",
		"wrong pkg":  "package other\ndeny contains \"x\" if { true }",
		"bad result": "package main\ndeny contains 3 if { true }",
		"bad sev":    "package main\ndeny contains {\"message\": \"m\", \"severity\": \"fatal\"} if { true }",
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "r.rego"), []byte(src), 0o644)
		e, err := New(context.Background(), "lint", []string{dir})
		if err == nil {
			_, err = e.Eval(context.Background(), map[string]any{}, "p.json")
		}
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestBuiltinRego runs the built-in rules' _test.rego files, as `opa test` would.
func TestBuiltinRego(t *testing.T) {
	for set, least := range map[string]int{"lint": 40, "trail": 5} {
		results, err := Test(context.Background(), set, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(results) < least {
			t.Fatalf("%s: only %d rule tests ran", set, len(results))
		}
		for _, r := range results {
			if !r.Pass {
				t.Errorf("%s: %s.%s failed %s", set, r.Package, r.Name, r.Error)
			}
		}
	}
}
