package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/keytrail/keytrail/internal/cases"
)

const testHelp = `
Usage: keytrail test [-v] [-o table|json] DIR|FILE...

Runs fixture files and compares each result with its expectation. Directories are walked
recursively; every *.json file that is a case file (a JSON array of cases, or {"cases": [...]})
is run, and other JSON files (policies the cases refer to) are skipped and counted. A case
passes when its decision equals "expect", or when it has "expectError": true and its input is
rejected.

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
	files, skipped, err := caseFiles(flags.Args())
	if err != nil {
		return inputError(s, err)
	}
	var rows []testRow
	passed, failed := 0, 0
	for _, f := range files {
		cs, err := cases.Load(f)
		if err != nil {
			return inputError(s, err)
		}
		for _, c := range cs {
			ok, why := c.Run().Check()
			if ok {
				passed++
			} else {
				failed++
			}
			if !ok || verbose {
				rows = append(rows, testRow{File: f, ID: c.ID, Pass: ok, Detail: why})
			}
		}
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

// caseFiles expands the arguments into case files, sorted. Files named directly must be case
// files; in directories, other JSON files are skipped and counted.
func caseFiles(args []string) (files []string, skipped int, err error) {
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, 0, fmt.Errorf("failed to read fixtures: %w", err)
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		err = filepath.WalkDir(a, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(path, ".json") {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if cases.IsCaseFile(data) {
				files = append(files, path)
			} else {
				skipped++
			}
			return nil
		})
		if err != nil {
			return nil, 0, fmt.Errorf("failed to read fixtures: %w", err)
		}
	}
	sort.Strings(files)
	return files, skipped, nil
}
