// Package rules runs keytrail's Rego rules: the judgement checks of `keytrail lint`
// (rules/lint) and, later, the trail audit rules (rules/trail). An Engine loads the built-in
// rules of a set plus users' rule directories, prepares them once, and evaluates many inputs.
//
// A rule file is a Rego package under data.keytrail.<set> (built-in and user rules) or
// data.main (conftest's convention, for users' rules), with `deny` and/or `warn` sets whose
// members are strings (messages) or objects {id, severity, message, statement, line, col,
// fix}. The package's METADATA annotation gives the title, description and, under custom, the
// check id and severity.
package rules

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

//go:embed lint/*.rego lint/*.md
var builtin embed.FS

// Severities, most severe first.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityInfo    = "info"
)

// SeverityRank orders severities: error 3, warning 2, info 1, anything else 0.
func SeverityRank(s string) int {
	switch s {
	case SeverityError:
		return 3
	case SeverityWarning:
		return 2
	case SeverityInfo:
		return 1
	}
	return 0
}

// Rule describes one check: a Rego package.
type Rule struct {
	ID          string `json:"id"`
	Severity    string `json:"severity"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Source      string `json:"source"` // "built-in" or the user's file
	Package     string `json:"package"`
}

// Finding is one result of a rule for one input.
type Finding struct {
	ID        string `json:"id"`
	Severity  string `json:"severity"`
	Message   string `json:"message"`
	File      string `json:"file"`
	Line      int    `json:"line"`
	Col       int    `json:"col"`
	Statement any    `json:"statement"` // the Sid (string), the 0-based index (number), or null
	Fix       string `json:"fix,omitempty"`
}

// Engine evaluates a rule set. It is safe for concurrent use.
type Engine struct {
	set   string
	rules map[string]*Rule // by package path ("keytrail.lint.wildcard_principal")
	query rego.PreparedEvalQuery
}

// New loads the built-in rules of set ("lint") and the .rego files (not *_test.rego) under
// each user directory, compiles and prepares them.
func New(ctx context.Context, set string, userDirs []string) (*Engine, error) {
	modules := map[string]string{}
	sources := map[string]string{}
	entries, err := fs.Glob(builtin, set+"/*.rego")
	if err != nil {
		return nil, err
	}
	for _, name := range entries {
		if strings.HasSuffix(name, "_test.rego") {
			continue
		}
		data, err := builtin.ReadFile(name)
		if err != nil {
			return nil, err
		}
		modules["builtin/"+name] = string(data)
		sources["builtin/"+name] = "built-in"
	}
	for _, dir := range userDirs {
		files, err := regoFiles(dir)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("failed to read rules: %w", err)
			}
			modules[f] = string(data)
			sources[f] = f
		}
	}
	e := &Engine{set: set, rules: map[string]*Rule{}}
	opts := []func(*rego.Rego){rego.Query(fmt.Sprintf("keytrail := data.keytrail.%s; user := object.get(data, \"main\", {})", set))}
	for name, src := range modules {
		m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{ProcessAnnotation: true})
		if err != nil {
			return nil, fmt.Errorf("failed to load rules: %w", err)
		}
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if !strings.HasPrefix(pkg, "keytrail."+set+".") && pkg != "main" {
			return nil, fmt.Errorf("failed to load rules: %s: package %s: rules must be in package keytrail.%s.<name> or main", name, pkg, set)
		}
		if pkg != "main" && definesChecks(m) {
			r := ruleOf(m, pkg)
			r.Source = sources[name]
			if prev, dup := e.rules[pkg]; dup {
				return nil, fmt.Errorf("failed to load rules: package %s is defined by both %s and %s", pkg, prev.Source, r.Source)
			}
			e.rules[pkg] = r
		}
		opts = append(opts, rego.ParsedModule(m))
	}
	pq, err := rego.New(opts...).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("failed to compile rules: %w", err)
	}
	e.query = pq
	return e, nil
}

// regoFiles lists the rule files under dir (recursively), tests excluded.
func regoFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".rego") && !strings.HasSuffix(p, "_test.rego") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to read rules: %w", err)
	}
	sort.Strings(out)
	return out, nil
}

// definesChecks reports whether a module defines deny or warn rules (helper packages, such as
// keytrail.lint.lib, define none and are not listed as rules).
func definesChecks(m *ast.Module) bool {
	for _, r := range m.Rules {
		if n := r.Head.Name.String(); n == "deny" || n == "warn" {
			return true
		}
		if ref := r.Head.Ref(); len(ref) > 0 {
			if n := ref[0].Value.String(); n == "deny" || n == "warn" {
				return true
			}
		}
	}
	return false
}

// ruleOf reads a package's METADATA: title, description, custom.id and custom.severity.
func ruleOf(m *ast.Module, pkg string) *Rule {
	name := pkg[strings.LastIndexByte(pkg, '.')+1:]
	r := &Rule{ID: strings.ReplaceAll(name, "_", "-"), Package: pkg, Title: name}
	for _, a := range m.Annotations {
		if a.Scope != "package" && a.Scope != "subpackages" {
			continue
		}
		if a.Title != "" {
			r.Title = a.Title
		}
		r.Description = strings.TrimSpace(a.Description)
		if id, ok := a.Custom["id"].(string); ok && id != "" {
			r.ID = id
		}
		if sev, ok := a.Custom["severity"].(string); ok {
			r.Severity = sev
		}
	}
	return r
}

// Rules lists the loaded rules by id.
func (e *Engine) Rules() []Rule {
	out := make([]Rule, 0, len(e.rules))
	for _, r := range e.rules {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Eval evaluates every rule on one input (a JSON-like value: maps, slices, strings, numbers,
// booleans) and returns the findings, sorted by position then id. file fills findings that do
// not name one.
func (e *Engine) Eval(ctx context.Context, input any, file string) ([]Finding, error) {
	rs, err := e.query.Eval(ctx, rego.EvalInput(input))
	if err != nil {
		return nil, fmt.Errorf("failed to evaluate rules: %w", err)
	}
	var out []Finding
	for _, r := range rs {
		for name, pkgs := range map[string]any{"keytrail": r.Bindings["keytrail"], "user": r.Bindings["user"]} {
			obj, _ := pkgs.(map[string]any)
			if name == "user" {
				obj = map[string]any{"": obj}
			}
			for pkg, v := range obj {
				rule := e.rules["keytrail."+e.set+"."+pkg]
				sets, _ := v.(map[string]any)
				for _, kind := range []string{"deny", "warn"} {
					for _, item := range asList(sets[kind]) {
						f, err := findingOf(item, rule, kind, pkg)
						if err != nil {
							return nil, err
						}
						if f.File == "" {
							f.File = file
						}
						out = append(out, f)
					}
				}
			}
		}
	}
	SortFindings(out)
	return out, nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func findingOf(item any, rule *Rule, kind, pkg string) (Finding, error) {
	f := Finding{Severity: SeverityError}
	if kind == "warn" {
		f.Severity = SeverityWarning
	}
	if rule != nil {
		f.ID = rule.ID
		if rule.Severity != "" {
			f.Severity = rule.Severity
		}
	} else {
		f.ID = "user"
		if pkg != "" {
			f.ID = pkg
		}
	}
	switch x := item.(type) {
	case string:
		f.Message = x
	case map[string]any:
		data, _ := json.Marshal(x)
		var o struct {
			ID, Severity, Message, File, Fix string
			Line, Col                        int
			Statement                        any
		}
		if err := json.Unmarshal(data, &o); err != nil {
			return f, fmt.Errorf("rule %s: a %s result is not a finding object: %w", f.ID, kind, err)
		}
		if o.ID != "" {
			f.ID = o.ID
		}
		if o.Severity != "" {
			f.Severity = o.Severity
		}
		f.Message, f.File, f.Fix, f.Line, f.Col, f.Statement = o.Message, o.File, o.Fix, o.Line, o.Col, o.Statement
		if n, ok := f.Statement.(float64); ok {
			f.Statement = int(n)
		}
	default:
		return f, fmt.Errorf("rule %s: a %s result must be a string or an object, not %T", f.ID, kind, item)
	}
	if SeverityRank(f.Severity) == 0 {
		return f, fmt.Errorf("rule %s: invalid severity %q (expected error, warning or info)", f.ID, f.Severity)
	}
	return f, nil
}

// SortFindings orders findings by file, line, column, then id.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.ID < b.ID
	})
}
