package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/keytrail/keytrail/internal/lint"
	"github.com/keytrail/keytrail/rules"
)

const rulesHelp = `
Usage: keytrail rules list [--set lint|trail] [--rules DIR]... [-o table|json]
       keytrail rules test [--set lint|trail] [DIR]...

--set picks the rule set: lint (keytrail lint's checks, the default) or trail (keytrail trail
audit's rules).
list: every check of the set: id, default severity, title, and where it comes from (built-in Go
checks, built-in Rego rules, or your --rules files); for trail rules also the records each is
given (its selectors) and its window.
test: runs the *_test.rego files under DIR (like opa test), with the set's built-in rules loaded
so your tests can import data.keytrail.lint.lib or data.keytrail.trail.lib; with no DIR, the
built-in rules' own tests.

Examples:
  keytrail rules list --set trail
  keytrail rules test --set trail ./team-trail-rules

Exit status: 0 ok (all tests passed), 1 a test failed, 2 usage error, 3 unreadable rules.
`

func runRules(args []string, s *stdio) int {
	var dirs []string
	var output, set string
	fs := newFlags("rules", rulesHelp, s)
	fs.StringVar(&set, "set", "lint", "rule `SET`: lint or trail")
	fs.StringArrayVar(&dirs, "rules", nil, "also list the Rego rules in `DIR` (repeatable)")
	fs.VarP(newOutputFlag(&output), "output", "o", "output format: table or json")
	if done, code := parseFlags(fs, args, s); done {
		return code
	}
	if fs.NArg() == 0 {
		return usageError(s, "rules", "expected list or test")
	}
	if set != "lint" && set != "trail" {
		return usageError(s, "rules", fmt.Sprintf("invalid --set %q: expected lint or trail", set))
	}
	ctx := context.Background()
	switch fs.Arg(0) {
	case "list":
		if set == "trail" {
			return listTrailRules(ctx, dirs, output, s)
		}
		l, err := lint.New(ctx, lint.Options{Type: "key", RuleDirs: dirs})
		if err != nil {
			return inputError(s, err)
		}
		checks := l.Checks()
		if output == "json" {
			if err := writeJSONIndent(s.out, checks); err != nil {
				return inputError(s, err)
			}
			return exitOK
		}
		var rows [][]string
		for _, c := range checks {
			rows = append(rows, []string{c.ID, c.Severity, c.Source, c.Title})
		}
		if err := table(s.out, []string{"ID", "SEVERITY", "SOURCE", "TITLE"}, rows); err != nil {
			return inputError(s, err)
		}
		return exitOK
	case "test":
		results, err := rules.Test(ctx, set, fs.Args()[1:])
		if err != nil {
			return inputError(s, err)
		}
		passed, failed := 0, 0
		for _, r := range results {
			if r.Pass {
				passed++
				continue
			}
			failed++
			fmt.Fprintf(s.out, "FAIL %s.%s %s\n", r.Package, r.Name, r.Error)
		}
		fmt.Fprintf(s.out, "%d passed, %d failed\n", passed, failed)
		if failed > 0 || passed == 0 {
			return exitDenied
		}
		return exitOK
	}
	return usageError(s, "rules", fmt.Sprintf("unknown rules command %q: expected list or test", fs.Arg(0)))
}

func listTrailRules(ctx context.Context, dirs []string, output string, s *stdio) int {
	e, err := rules.New(ctx, "trail", dirs)
	if err != nil {
		return inputError(s, err)
	}
	list := e.Rules()
	if output == "json" {
		if err := writeJSONIndent(s.out, list); err != nil {
			return inputError(s, err)
		}
		return exitOK
	}
	var rows [][]string
	for _, r := range list {
		var sel []string
		for _, x := range r.Select {
			sel = append(sel, x.String())
		}
		given := strings.Join(sel, "\nor ")
		if given == "" {
			given = "every record"
		}
		if r.Threshold > 0 {
			given += fmt.Sprintf("\n(%d in %s)", r.Threshold, r.Window)
		}
		rows = append(rows, []string{r.ID, r.Severity, r.Source, r.Title, given})
	}
	if err := table(s.out, []string{"ID", "SEVERITY", "SOURCE", "TITLE", "GIVEN"}, rows); err != nil {
		return inputError(s, err)
	}
	return exitOK
}
