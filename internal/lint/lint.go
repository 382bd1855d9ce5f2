// Package lint runs keytrail's policy checks: the structural checks of policy.Lint and the
// Rego judgement checks of rules/lint, with LINT-CHECKS.md's conventions (subsumption),
// users' rules, disabled checks and severity overrides. keytrail lint and keytrail test share
// it.
package lint

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/keytrail/keytrail/policy"
	"github.com/keytrail/keytrail/policy/catalog"
	"github.com/keytrail/keytrail/rules"
)

// OptionError is a bad option (an unknown check id, an invalid severity): a usage error.
type OptionError struct{ Msg string }

func (e *OptionError) Error() string { return e.Msg }

// Options configure a Linter.
type Options struct {
	Type     policy.LintType
	KeyARN   string
	Catalog  *catalog.Catalog // nil: the embedded catalog
	RuleDirs []string
	Disable  []string          // check ids
	Severity map[string]string // check id → error|warning|info
}

// Linter lints many files with rules prepared once. It is safe for concurrent use.
type Linter struct {
	opt      Options
	engine   *rules.Engine
	disabled map[string]bool
}

// New prepares a Linter; unknown ids in Disable or Severity are errors.
func New(ctx context.Context, opt Options) (*Linter, error) {
	if opt.Catalog == nil {
		c, err := catalog.Default()
		if err != nil {
			return nil, err
		}
		opt.Catalog = c
	}
	e, err := rules.New(ctx, "lint", opt.RuleDirs)
	if err != nil {
		return nil, err
	}
	l := &Linter{opt: opt, engine: e, disabled: map[string]bool{}}
	known := map[string]bool{}
	for _, c := range l.Checks() {
		known[c.ID] = true
	}
	for _, id := range opt.Disable {
		if !known[id] {
			return nil, &OptionError{fmt.Sprintf("--disable %s: no such check (keytrail rules list shows them)", id)}
		}
		l.disabled[id] = true
	}
	for id, sev := range opt.Severity {
		if !known[id] {
			return nil, &OptionError{fmt.Sprintf("--severity %s: no such check (keytrail rules list shows them)", id)}
		}
		if rules.SeverityRank(sev) == 0 {
			return nil, &OptionError{fmt.Sprintf("--severity %s=%s: expected error, warning or info", id, sev)}
		}
	}
	return l, nil
}

// Checks lists every check: the structural ones (Go) and the rules (Rego), by id.
func (l *Linter) Checks() []rules.Rule {
	var out []rules.Rule
	for _, c := range policy.StructuralChecks {
		out = append(out, rules.Rule{ID: c.ID, Severity: c.Severity, Title: c.Title, Source: "built-in (Go)"})
	}
	out = append(out, l.engine.Rules()...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

var structuralSeverity = func() map[string]string {
	m := map[string]string{}
	for _, c := range policy.StructuralChecks {
		m[c.ID] = c.Severity
	}
	return m
}()

// subsumes lists, for a check, the checks it replaces on the same statement (LINT-CHECKS.md
// convention 7, against noise). invalid-arn replacing resource-mismatch for the same value is
// done by policy.Lint.
var subsumes = map[string][]string{
	"kms-star-non-root":    {"admin-can-use-key"},
	"notprincipal-allow":   {"wildcard-principal"},
	"allow-all":            {"pass-role-star", "privilege-escalation", "kms-decrypt-any-key"},
	"conflicting-elements": {"notaction-allow", "notprincipal-allow", "notresource-allow"},
}

// Lint checks one policy file's text.
func (l *Linter) Lint(ctx context.Context, file string, data []byte) ([]rules.Finding, error) {
	res := policy.Lint(file, l.opt.Type, data, policy.LintOptions{Catalog: l.opt.Catalog, KeyARN: l.opt.KeyARN})
	var out []rules.Finding
	for _, is := range res.Issues {
		sev := structuralSeverity[is.ID]
		if is.Severity != "" {
			sev = is.Severity
		}
		out = append(out, rules.Finding{ID: is.ID, Severity: sev, Message: is.Message,
			File: file, Line: is.Pos.Line, Col: is.Pos.Col, Statement: is.Statement, Fix: is.Fix})
	}
	if res.Input != nil {
		eval := l.engine.Eval
		if stmts, _ := res.Input["statements"].([]any); len(stmts) > 200 {
			eval = l.engine.EvalParallel // a large policy: split the rules across cores
		}
		fs, err := eval(ctx, res.Input, file)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return l.finish(out), nil
}

// finish applies subsumption, disabled checks and severity overrides, merges findings of one
// check on one statement (convention 2: one finding per check and statement, at the first
// position, its message listing the rest), and sorts.
func (l *Linter) finish(fs []rules.Finding) []rules.Finding {
	rules.SortFindings(fs)
	type mkey struct {
		id, file string
		stmt     any
	}
	first := map[mkey]int{}
	merged := fs[:0]
	for _, f := range fs {
		k := mkey{f.ID, f.File, f.Statement}
		if i, ok := first[k]; ok {
			if !strings.Contains(merged[i].Message, f.Message) {
				merged[i].Message += "; " + f.Message
			}
			continue
		}
		first[k] = len(merged)
		merged = append(merged, f)
	}
	fs = merged
	type key struct {
		id   string
		stmt any
	}
	present := map[key]bool{}
	for _, f := range fs {
		present[key{f.ID, f.Statement}] = true
	}
	out := fs[:0]
	for _, f := range fs {
		if l.disabled[f.ID] {
			continue
		}
		replaced := false
		for by, ids := range subsumes {
			for _, id := range ids {
				if id == f.ID && present[key{by, f.Statement}] && !l.disabled[by] {
					replaced = true
				}
			}
		}
		if replaced {
			continue
		}
		if sev, ok := l.opt.Severity[f.ID]; ok {
			f.Severity = sev
		}
		out = append(out, f)
	}
	rules.SortFindings(out)
	return out
}
