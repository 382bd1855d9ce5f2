package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/keytrail/keytrail/internal/cases"
	"github.com/keytrail/keytrail/internal/lint"
	"github.com/keytrail/keytrail/simulate"
	"github.com/keytrail/keytrail/trail"
	"github.com/keytrail/keytrail/trail/audit"
)

const testHelp = `
Usage: keytrail test [-v] [-o table|json] DIR|FILE...

Runs fixture files and compares each result with its expectation. Directories are walked
recursively for these kinds of fixture:
  evaluator cases: a JSON array of cases, or {"cases": [...]}. A case passes when its decision
    equals "expect", or when it has "expectError": true and its input is rejected.
  lint fixtures: TYPE/NAME.json with TYPE/NAME.expected.json beside it (TYPE: key, bucket,
    identity, scp), the expected file as 'keytrail lint -o json' prints it. It passes when the
    findings match on id, severity, statement, line and column.
  scenarios: *.yaml scenario files (keytrail simulate --help). One passes when every step ends
    as it expects.
  trail fixtures: NAME.json (a CloudTrail file) with NAME.audit.json beside it:
    {"data"?: {...as --data}, "findings": [{id, severity, eventID, resolved, count}]}. It passes
    when keytrail trail audit finds exactly those findings. NAME.summary.json beside it is the
    expected 'keytrail trail summary -o json' output (its "by" picks the grouping).
Other JSON files (policies the cases refer to) are skipped and counted.

Prints the failures (all cases with -v) as a table, then "N passed, N failed".

Examples:
  keytrail test fixtures/
  keytrail test -v fixtures/cases/kms-grants.json

Exit status: 0 all passed, 1 a case failed, 2 usage error, 3 a file could not be read.
`

type testRow struct {
	File   string `json:"file"`
	ID     string `json:"id"`
	Pass   bool   `json:"pass"`
	Detail string `json:"detail,omitempty"`
}

func runTest(args []string, s *stdio) int {
	var verbose bool
	var output string
	flags := newFlags("test", testHelp, s)
	flags.BoolVarP(&verbose, "verbose", "v", false, "list every case, not only failures")
	flags.VarP(newOutputFlag(&output), "output", "o", "output format: table or json")
	if done, code := parseFlags(flags, args, s); done {
		return code
	}
	if flags.NArg() == 0 {
		return usageError(s, "test", "expected at least one DIR or FILE")
	}
	set, err := fixtureFiles(flags.Args())
	if err != nil {
		return inputError(s, err)
	}
	files, fixtures, scenarios, skipped := set.cases, set.lint, set.scenarios, set.skipped
	var rows []testRow
	passed, failed := 0, 0
	record := func(file, id string, ok bool, why string) {
		if ok {
			passed++
		} else {
			failed++
		}
		if !ok || verbose {
			rows = append(rows, testRow{File: file, ID: id, Pass: ok, Detail: why})
		}
	}
	for _, f := range files {
		cs, err := cases.Load(f)
		if err != nil {
			return inputError(s, err)
		}
		for _, c := range cs {
			ok, why := c.Run().Check()
			record(f, c.ID, ok, why)
		}
	}
	for _, f := range scenarios {
		sc, err := simulate.LoadScenarioFile(f)
		if err != nil {
			return inputError(s, err)
		}
		w, steps, err := sc.Build(1)
		if err != nil {
			return inputError(s, err)
		}
		results := simulate.Run(w, steps)
		w.Close()
		for _, r := range results {
			why := ""
			if !r.AsExpect {
				why = fmt.Sprintf("%s %s: %s (%s), expected %s", r.Actor, r.Call, r.Outcome, r.Why, r.Expect)
			}
			record(f, fmt.Sprintf("step %d", r.Step), r.AsExpect, why)
		}
	}
	var lf lint.Fixtures
	for _, f := range fixtures {
		ok, why, err := lf.Run(context.Background(), f)
		if err != nil {
			return inputError(s, err)
		}
		record(lint.FixturePolicy(f), "lint", ok, why)
	}
	for _, f := range set.trails {
		ok, why, err := audit.RunFixture(context.Background(), f)
		if err != nil {
			return inputError(s, err)
		}
		record(audit.FixtureTrail(f), "audit", ok, why)
	}
	for _, f := range set.summaries {
		ok, why, err := trail.RunSummaryFixture(f)
		if err != nil {
			return inputError(s, err)
		}
		record(trail.SummaryFixtureTrail(f), "summary", ok, why)
	}
	if output == "json" {
		if err := writeJSONIndent(s.out, map[string]any{"passed": passed, "failed": failed, "skippedFiles": skipped, "results": rows}); err != nil {
			return inputError(s, err)
		}
	} else {
		if len(rows) > 0 {
			var tr [][]string
			for _, r := range rows {
				res := "FAIL"
				if r.Pass {
					res = "ok"
				}
				tr = append(tr, []string{r.File, r.ID, res, r.Detail})
			}
			if err := table(s.out, []string{"FILE", "CASE", "RESULT", "DETAIL"}, tr); err != nil {
				return inputError(s, err)
			}
		}
		if skipped > 0 {
			fmt.Fprintf(s.err, "keytrail: skipped %d JSON file(s) that are not case files\n", skipped)
		}
		fmt.Fprintf(s.out, "%d passed, %d failed\n", passed, failed)
	}
	if failed > 0 {
		return exitDenied
	}
	return exitOK
}

// fixtureSet lists the fixtures found: evaluator case files, lint fixtures and trail fixtures
// (their expected files), scenarios; and how many other JSON files were skipped.
type fixtureSet struct {
	cases, lint, trails, summaries, scenarios []string
	skipped                                   int
}

// fixtureFiles expands the arguments into fixtures, sorted. Files named directly must be one
// of the kinds; in directories, other JSON files are skipped and counted.
func fixtureFiles(args []string) (fixtureSet, error) {
	var set fixtureSet
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return set, fmt.Errorf("failed to read fixtures: %w", err)
		}
		if !st.IsDir() {
			switch {
			case strings.HasSuffix(a, ".yaml") || strings.HasSuffix(a, ".yml"):
				set.scenarios = append(set.scenarios, a)
			case lint.IsFixture(a):
				set.lint = append(set.lint, a)
			case audit.IsFixture(a):
				set.trails = append(set.trails, a)
			case trail.IsSummaryFixture(a):
				set.summaries = append(set.summaries, a)
			default:
				set.cases = append(set.cases, a)
			}
			continue
		}
		var all []string
		err = filepath.WalkDir(a, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
				all = append(all, path)
			}
			if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) && strings.Contains(filepath.ToSlash(path), "scenarios/") {
				set.scenarios = append(set.scenarios, path)
			}
			return err
		})
		if err != nil {
			return set, fmt.Errorf("failed to read fixtures: %w", err)
		}
		covered := map[string]bool{} // the inputs of lint and trail fixtures
		for _, p := range all {
			switch {
			case lint.IsFixture(p):
				set.lint = append(set.lint, p)
				covered[p], covered[lint.FixturePolicy(p)] = true, true
			case audit.IsFixture(p):
				set.trails = append(set.trails, p)
				covered[p], covered[audit.FixtureTrail(p)] = true, true
			case trail.IsSummaryFixture(p):
				set.summaries = append(set.summaries, p)
				covered[p], covered[trail.SummaryFixtureTrail(p)] = true, true
			}
		}
		for _, p := range all {
			if covered[p] {
				continue
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return set, fmt.Errorf("failed to read fixtures: %w", err)
			}
			if cases.IsCaseFile(data) {
				set.cases = append(set.cases, p)
			} else {
				set.skipped++
			}
		}
	}
	sort.Strings(set.cases)
	sort.Strings(set.lint)
	sort.Strings(set.trails)
	sort.Strings(set.summaries)
	sort.Strings(set.scenarios)
	return set, nil
}
