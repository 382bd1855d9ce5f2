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
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/util"
)

//go:embed lint/*.rego lint/*.md trail/*.rego trail/*.md
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
	// Trail rules only (METADATA custom.select, once_per, requires, threshold, window): the
	// records the rule is given, and the sliding window its signals are counted in.
	Select     []Selector    `json:"select,omitempty"`
	OncePer    []string      `json:"oncePer,omitempty"`  // given only the first record of each combination
	Requires   []string      `json:"requires,omitempty"` // runs only when --data gives one of these
	Threshold  int           `json:"threshold,omitempty"`
	Window     time.Duration `json:"-"`
	WindowText string        `json:"window,omitempty"` // Window as a Go duration: "6m0s"
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
	// Suppressed findings matched a reviewed exception (keytrail lint --ignore); they are
	// reported, not counted against --fail-on.
	Suppressed    bool   `json:"suppressed,omitempty"`
	Justification string `json:"justification,omitempty"`
}

// Engine evaluates a rule set. It is safe for concurrent use.
type Engine struct {
	set     string
	rules   map[string]*Rule // by package path ("keytrail.lint.wildcard_principal")
	query   rego.PreparedEvalQuery
	targets []target // the query's bindings: x0, x1, ...
	groups  []group  // the same targets split for EvalParallel
	opts    []func(*rego.Rego)
	config  map[string]any // data.keytrail.config
	// fields holds, per package, the string constants of its rules and of every rule and
	// function they depend on, when all rules are built-in (nil with users' rules): a record
	// member whose name is not among them cannot be read by the package.
	fields map[string]map[string]bool

	mu       sync.Mutex
	prepared map[string]rego.PreparedEvalQuery // per package, for Auditors
}

// group is a prepared query over some of the targets.
type group struct {
	query   rego.PreparedEvalQuery
	targets []int // indexes into Engine.targets, bound as x<index>
}

// target is one deny or warn set the query evaluates.
type target struct {
	pkg  string // package path without "data."
	kind string // deny or warn
}

// New loads the built-in rules of set ("lint" or "trail") and the .rego files (not
// *_test.rego) under each user directory, compiles and prepares them.
func New(ctx context.Context, set string, userDirs []string) (*Engine, error) {
	return NewWithData(ctx, set, userDirs, nil)
}

// NewWithData is New with a data document the rules read as data.keytrail.config (the
// merged --data files: allowlists, thresholds).
func NewWithData(ctx context.Context, set string, userDirs []string, config map[string]any) (*Engine, error) {
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
	e := &Engine{set: set, rules: map[string]*Rule{}, config: config}
	parsed := map[string]*ast.Module{}
	sets := map[target]bool{}
	for name, src := range modules {
		m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{ProcessAnnotation: true})
		if err != nil {
			return nil, fmt.Errorf("failed to load rules: %s", oneLine(err))
		}
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if !strings.HasPrefix(pkg, "keytrail."+set+".") && pkg != "main" {
			return nil, fmt.Errorf("failed to load rules: %s: package %s: rules must be in package keytrail.%s.<name> or main", name, pkg, set)
		}
		for _, kind := range checkSets(m) {
			sets[target{pkg, kind}] = true
		}
		if pkg != "main" && len(checkSets(m)) > 0 {
			r, err := ruleOf(m, pkg)
			if err != nil {
				return nil, fmt.Errorf("failed to load rules: %s: %w", name, err)
			}
			r.Source = sources[name]
			if prev, dup := e.rules[pkg]; dup {
				return nil, fmt.Errorf("failed to load rules: package %s is defined by both %s and %s", pkg, prev.Source, r.Source)
			}
			e.rules[pkg] = r
		}
		parsed[name] = m
	}
	// Compile once: every prepared query below shares the compiler.
	compiler := ast.NewCompiler()
	if compiler.Compile(parsed); compiler.Failed() {
		return nil, fmt.Errorf("failed to compile rules: %s", oneLine(compiler.Errors))
	}
	if len(userDirs) == 0 {
		e.fields = packageFields(compiler)
	}
	opts := []func(*rego.Rego){rego.Compiler(compiler)}
	if config != nil {
		opts = append(opts, rego.Store(inmem.NewFromObject(map[string]any{"keytrail": map[string]any{"config": config}})))
	}
	e.opts = opts
	// Query exactly the deny and warn sets: evaluating all of data would also evaluate every
	// helper rule of every package.
	for t := range sets {
		e.targets = append(e.targets, t)
	}
	sort.Slice(e.targets, func(i, j int) bool {
		return e.targets[i].pkg+e.targets[i].kind < e.targets[j].pkg+e.targets[j].kind
	})
	all := make([]int, len(e.targets))
	for i := range all {
		all[i] = i
	}
	pq, err := prepare(ctx, opts, e.targets, all)
	if err != nil {
		return nil, err
	}
	e.query = pq
	n := min(max(runtime.GOMAXPROCS(0), 1), 8, len(e.targets))
	for g := 0; g < n; g++ {
		var idx []int
		for i := g; i < len(e.targets); i += n {
			idx = append(idx, i)
		}
		q, err := prepare(ctx, opts, e.targets, idx)
		if err != nil {
			return nil, err
		}
		e.groups = append(e.groups, group{query: q, targets: idx})
	}
	return e, nil
}

// prepare compiles a query binding x<i> to each listed target's set.
func prepare(ctx context.Context, opts []func(*rego.Rego), targets []target, idx []int) (rego.PreparedEvalQuery, error) {
	var terms []string
	for _, i := range idx {
		terms = append(terms, fmt.Sprintf("x%d := data.%s.%s", i, targets[i].pkg, targets[i].kind))
	}
	if len(terms) == 0 {
		terms = []string{"true"}
	}
	pq, err := rego.New(append(opts[:len(opts):len(opts)], rego.Query(strings.Join(terms, "; ")))...).PrepareForEval(ctx)
	if err != nil {
		return pq, fmt.Errorf("failed to compile rules: %w", err)
	}
	return pq, nil
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

// checkSets returns the result sets a module defines: deny and warn (findings), and for trail
// rules signal, resolve and fact (stateful rules, see auditor.go). Helper packages, such as
// keytrail.lint.lib, define none and are not listed as rules.
func checkSets(m *ast.Module) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range m.Rules {
		ref := r.Head.Ref()
		if len(ref) == 0 {
			continue
		}
		n := strings.Trim(ref[0].Value.String(), `"`)
		if resultSets[n] && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

var resultSets = map[string]bool{"deny": true, "warn": true, "signal": true, "resolve": true, "fact": true}

// ruleOf reads a package's METADATA: title, description, custom.id and custom.severity, and
// for trail rules custom.select, custom.threshold and custom.window.
func ruleOf(m *ast.Module, pkg string) (*Rule, error) {
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
		if err := r.trailMetadata(a.Custom); err != nil {
			return nil, err
		}
	}
	return r, nil
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
	val, err := toValue(input)
	if err != nil {
		return nil, fmt.Errorf("failed to evaluate rules: %w", err)
	}
	all := make([]int, len(e.targets))
	for i := range all {
		all[i] = i
	}
	out, err := e.eval(ctx, e.query, all, val, file)
	if err != nil {
		return nil, err
	}
	SortFindings(out)
	return out, nil
}

// EvalParallel is Eval with the rules split across cores: for one large input (a policy of
// thousands of statements), where evaluating rules costs more than starting goroutines.
func (e *Engine) EvalParallel(ctx context.Context, input any, file string) ([]Finding, error) {
	val, err := toValue(input)
	if err != nil {
		return nil, fmt.Errorf("failed to evaluate rules: %w", err)
	}
	results := make([][]Finding, len(e.groups))
	errs := make([]error, len(e.groups))
	var wg sync.WaitGroup
	for g := range e.groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[g], errs[g] = e.eval(ctx, e.groups[g].query, e.groups[g].targets, val, file)
		}()
	}
	wg.Wait()
	var out []Finding
	for g := range e.groups {
		if errs[g] != nil {
			return nil, errs[g]
		}
		out = append(out, results[g]...)
	}
	SortFindings(out)
	return out, nil
}

func (e *Engine) eval(ctx context.Context, q rego.PreparedEvalQuery, idx []int, val ast.Value, file string) ([]Finding, error) {
	rs, err := q.Eval(ctx, rego.EvalParsedInput(val))
	if err != nil {
		return nil, fmt.Errorf("failed to evaluate rules: %w", err)
	}
	var out []Finding
	for _, r := range rs {
		for _, i := range idx {
			t := e.targets[i]
			if t.kind != "deny" && t.kind != "warn" {
				continue // a trail rule's signal, resolve or fact set: the Auditor reads them
			}
			pkg := strings.TrimPrefix(t.pkg, "keytrail."+e.set+".")
			if t.pkg == "main" {
				pkg = ""
			}
			for _, item := range asList(r.Bindings[fmt.Sprintf("x%d", i)]) {
				f, err := findingOf(item, e.rules[t.pkg], t.kind, pkg)
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
		switch st := f.Statement.(type) {
		case nil, string:
		case float64:
			f.Statement = int(st)
		default:
			return f, fmt.Errorf("rule %s: statement must be a Sid (string), an index (number) or null, not %T", f.ID, st)
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

// toValue converts JSON-like Go values (maps, slices, strings, numbers, booleans, nil) to a
// Rego value directly; rego.EvalInput would go through reflection, which costs more than the
// rules on large policies. Other types fall back to ast.InterfaceToValue.
func toValue(v any) (ast.Value, error) {
	switch x := v.(type) {
	case nil:
		return ast.Null{}, nil
	case string:
		return ast.String(x), nil
	case bool:
		return ast.Boolean(x), nil
	case int:
		return ast.Number(strconv.Itoa(x)), nil
	case map[string]any:
		terms := make([][2]*ast.Term, 0, len(x))
		for k, e := range x {
			ev, err := toValue(e)
			if err != nil {
				return nil, err
			}
			terms = append(terms, [2]*ast.Term{ast.StringTerm(k), ast.NewTerm(ev)})
		}
		return ast.NewObject(terms...), nil
	case []any:
		terms := make([]*ast.Term, len(x))
		for i, e := range x {
			ev, err := toValue(e)
			if err != nil {
				return nil, err
			}
			terms[i] = ast.NewTerm(ev)
		}
		return ast.NewArray(terms...), nil
	}
	return ast.InterfaceToValue(v)
}

// packageFields collects, per package, the string literals (ref keys included) of its rules
// and of every rule they depend on.
func packageFields(c *ast.Compiler) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, m := range c.Modules {
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		set := out[pkg]
		if set == nil {
			set = map[string]bool{}
			out[pkg] = set
		}
		seen := map[util.T]bool{}
		var visit func(n util.T)
		visit = func(n util.T) {
			if seen[n] {
				return
			}
			seen[n] = true
			if r, ok := n.(*ast.Rule); ok {
				ast.WalkTerms(r, func(t *ast.Term) bool {
					if s, ok := t.Value.(ast.String); ok {
						set[string(s)] = true
					}
					return false
				})
			}
			for d := range c.Graph.Dependencies(n) {
				visit(d)
			}
		}
		for _, r := range m.Rules {
			visit(r)
		}
	}
	return out
}

// oneLine renders an OPA error list on one line: the errors joined by "; ", without the
// source excerpts and carets OPA adds under each.
func oneLine(err error) string {
	var errs ast.Errors
	if !errors.As(err, &errs) || len(errs) == 0 {
		return strings.Join(strings.Fields(err.Error()), " ")
	}
	parts := make([]string, len(errs))
	for i, e := range errs {
		msg := e.Message
		if e.Location != nil {
			msg = fmt.Sprintf("%s:%d: %s", e.Location.File, e.Location.Row, msg)
		}
		parts[i] = strings.Join(strings.Fields(msg), " ")
	}
	return strings.Join(parts, "; ")
}
