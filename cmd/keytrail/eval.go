package main

import (
	"fmt"
	"time"

	"github.com/keytrail/keytrail/internal/cases"
)

const evalHelp = `
Usage: keytrail eval FILE...

Runs evaluator case files (a JSON array of cases, or {"cases": [...]}; the format is in
DESIGN.md and fixtures/cases/) and prints one JSON object per case and line:
  {"id": "k-decrypt", "decision": "Allow", "reasons": ["allowed by ..."]}
or, for a case whose input AWS would reject (a malformed policy),
  {"id": "bad", "error": "key.json:3:5: invalid Effect \"allow\" ..."}
Decisions are printed whatever they are; compare them with 'keytrail test'.

With --bench SECONDS, eval prints nothing per case; it measures warm throughput instead and
writes one JSON summary to stderr: decisions per second with policies compiled once
("compiled") and with every case read, parsed and evaluated each time ("full").

Examples:
  keytrail eval fixtures/cases/seed-key-policy.json
  keytrail eval fixtures/cases/*.json | jq -r 'select(.decision=="Allow") | .id'

Exit status: 0 every file was read, 2 usage error, 3 a file could not be read or is not a
case file.
`

type evalLine struct {
	ID                   string   `json:"id"`
	Decision             string   `json:"decision,omitempty"`
	DependsOnMissingKeys bool     `json:"dependsOnMissingKeys,omitempty"`
	Reasons              []string `json:"reasons,omitempty"`
	Error                string   `json:"error,omitempty"`
}

func runEval(args []string, s *stdio) int {
	var bench float64
	fs := newFlags("eval", evalHelp, s)
	fs.Float64Var(&bench, "bench", 0, "measure throughput for about `SECONDS` per mode instead of printing decisions")
	if done, code := parseFlags(fs, args, s); done {
		return code
	}
	if fs.NArg() == 0 {
		return usageError(s, "eval", "expected at least one case FILE")
	}
	if fs.Changed("bench") {
		if !(bench > 0 && bench <= 3600) { // also rejects NaN
			return usageError(s, "eval", fmt.Sprintf("invalid --bench %v: expected seconds between 0 and 3600", bench))
		}
		return runEvalBench(fs.Args(), time.Duration(bench*float64(time.Second)), s)
	}
	code := exitOK
	for _, path := range fs.Args() {
		cs, err := cases.Load(path)
		if err != nil {
			fmt.Fprintf(s.err, "keytrail: error: %v\n", err)
			code = exitInvalid
			continue
		}
		for _, c := range cs {
			r := c.Run()
			line := evalLine{ID: c.ID}
			if r.Err != nil {
				line.Error = r.Err.Error()
			} else {
				line.Decision = r.Explanation.Decision.Outcome.String()
				line.DependsOnMissingKeys = r.Explanation.Decision.DependsOnMissingKeys
				line.Reasons = reasons(r.Explanation)
			}
			if err := writeJSON(s.out, line); err != nil {
				return inputError(s, err)
			}
		}
	}
	return code
}

func runEvalBench(paths []string, d time.Duration, s *stdio) int {
	var all []*cases.Case
	for _, path := range paths {
		cs, err := cases.Load(path)
		if err != nil {
			return inputError(s, err)
		}
		all = append(all, cs...)
	}
	if err := writeJSON(s.err, cases.Bench(all, d)); err != nil {
		return inputError(s, err)
	}
	return exitOK
}
