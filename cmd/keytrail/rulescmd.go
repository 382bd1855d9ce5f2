package main

import (
	"context"
	"fmt"

	"github.com/keytrail/keytrail/internal/lint"
	"github.com/keytrail/keytrail/rules"
)

const rulesHelp = `
Usage: keytrail rules list [--rules DIR]... [-o table|json]
       keytrail rules test [DIR]...

list: every lint check: id, default severity, title, and where it comes from (built-in Go
checks, built-in Rego rules, or your --rules files).
test: runs the *_test.rego files under DIR (like opa test), with the built-in rules loaded so
your tests can import data.keytrail.lint.lib; with no DIR, the built-in rules' own tests.

Exit status: 0 ok (all tests passed), 1 a test failed, 2 usage error, 3 unreadable rules.
`

func runRules(args []string, s *stdio) int {
	var dirs []string
	var output string
	fs := newFlags("rules", rulesHelp, s)
	fs.StringArrayVar(&dirs, "rules", nil, "also list the Rego rules in `DIR` (repeatable)")
	fs.VarP(newOutputFlag(&output), "output", "o", "output format: table or json")
	if done, code := parseFlags(fs, args, s); done {
		return code
	}
	if fs.NArg() == 0 {
		return usageError(s, "rules", "expected list or test")
	}
	ctx := context.Background()
	switch fs.Arg(0) {
	case "list":
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
		results, err := rules.Test(ctx, "lint", fs.Args()[1:])
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
