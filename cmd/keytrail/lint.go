package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"github.com/keytrail/keytrail/internal/lint"
	"github.com/keytrail/keytrail/policy"
	"github.com/keytrail/keytrail/policy/catalog"
	"github.com/keytrail/keytrail/rules"
)

const lintHelp = `
Usage: keytrail lint [FILE|DIR|-]... [--type key|bucket|identity|scp] [flags]

Checks policies before they merge: structure and grammar as AWS parses them, the AWS service
catalog (unknown services, actions, condition keys, ARN formats), condition operators and
values, and judgement checks written in Rego (wildcard principals, public decrypt, lockout
risk, separation of duties, privilege escalation...). Quiet on AWS's own documented policies.
The check ids and their meaning: keytrail rules list, and LINT-CHECKS.md.

Reads policy JSON and the AWS CLI wrappers (get-key-policy --output json, get-bucket-policy);
directories are walked for *.json; - reads stdin. The policy type is never guessed: --type
(default key) applies to every file.

Suppression: --ignore FILE (default .keytrail-ignore.yaml in the current directory, when
present) lists reviewed exceptions, each with a reason:
  - path: "policies/legacy/*.json"
    check: wildcard-principal
    statement: Everyone          # optional: a Sid or index
    reason: "public by design, reviewed in SEC-123"
Suppressed findings stay in json and sarif output, marked, and do not count for --fail-on.

Examples:
  keytrail lint fixtures/policies/seed-key-policy.json
  keytrail lint policies/ --type identity -o sarif > lint.sarif
  keytrail lint key.json --disable admin-can-use-key --severity cross-account-principal=warning
  keytrail lint key.json --rules ./team-rules --fail-on warning

Exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage error, 3 unreadable input.
`

type lintOptions struct {
	typ      string
	ruleDirs []string
	disable  []string
	severity []string
	output   string
	failOn   string
	keyARN   string
	catalog  string
	ignore   string
}

func runLint(args []string, s *stdio) int {
	var o lintOptions
	fs := newFlags("lint", lintHelp, s)
	fs.StringVar(&o.typ, "type", "key", "policy `TYPE`: key, bucket, identity or scp")
	fs.StringArrayVar(&o.ruleDirs, "rules", nil, "also run the Rego rules in `DIR` (repeatable; packages keytrail.lint.<name> or main)")
	fs.StringArrayVar(&o.disable, "disable", nil, "skip the check `ID` (repeatable)")
	fs.StringArrayVar(&o.severity, "severity", nil, "override a check's severity: `ID=error|warning|info` (repeatable)")
	fs.StringVarP(&o.output, "output", "o", "table", "output `FORMAT`: table, json or sarif")
	fs.StringVar(&o.failOn, "fail-on", "error", "exit 1 on findings at or above `LEVEL`: error, warning, info or never")
	fs.StringVar(&o.keyARN, "key-arn", "", "the `ARN` of the key the policy belongs to (key-policy-resource, owner account)")
	fs.StringVar(&o.catalog, "catalog", "", "a newer service catalog `FILE` (as policy/catalog/gen writes it)")
	fs.StringVar(&o.ignore, "ignore", "", "suppression `FILE` (default: "+lint.DefaultIgnoreFile+" in the current directory, when present)")
	if done, code := parseFlags(fs, args, s); done {
		return code
	}
	typ, err := policy.ParseLintType(o.typ)
	if err != nil {
		return usageError(s, "lint", err.Error())
	}
	switch o.output {
	case "table", "json", "sarif":
	default:
		return usageError(s, "lint", fmt.Sprintf("invalid --output %q: expected table, json or sarif", o.output))
	}
	failRank := map[string]int{"error": 3, "warning": 2, "info": 1, "never": 99}[o.failOn]
	if failRank == 0 {
		return usageError(s, "lint", fmt.Sprintf("invalid --fail-on %q: expected error, warning, info or never", o.failOn))
	}
	sev := map[string]string{}
	for _, kv := range o.severity {
		id, level, ok := strings.Cut(kv, "=")
		if !ok {
			return usageError(s, "lint", fmt.Sprintf("invalid --severity %q: expected ID=error|warning|info", kv))
		}
		sev[id] = level
	}
	paths := fs.Args()
	if len(paths) == 0 {
		return usageError(s, "lint", "expected at least one FILE, DIR or -")
	}
	opt := lint.Options{Type: typ, KeyARN: o.keyARN, RuleDirs: o.ruleDirs, Disable: o.disable, Severity: sev}
	if o.catalog != "" {
		f, err := os.Open(o.catalog)
		if err != nil {
			return inputError(s, fmt.Errorf("failed to read catalog: %w", err))
		}
		opt.Catalog, err = catalog.Load(f)
		f.Close()
		if err != nil {
			return inputError(s, err)
		}
	}
	ctx := context.Background()
	l, err := lint.New(ctx, opt)
	if err != nil {
		var oe *lint.OptionError
		if errors.As(err, &oe) {
			return usageError(s, "lint", err.Error())
		}
		return inputError(s, err)
	}
	files, err := lintFiles(paths)
	if err != nil {
		return inputError(s, err)
	}
	if len(files) > 20 && os.Getenv("GOGC") == "" {
		// A short-lived batch that allocates freely: collect garbage less often (measured
		// ~1.25x on 1,000 policies). GOGC in the environment wins.
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	findings, err := lintAll(ctx, l, files, s.in)
	if err != nil {
		return inputError(s, err)
	}
	ignore := o.ignore
	if ignore == "" {
		if _, err := os.Stat(lint.DefaultIgnoreFile); err == nil {
			ignore = lint.DefaultIgnoreFile
		}
	}
	if ignore != "" {
		sups, err := lint.LoadIgnore(ignore)
		if err != nil {
			return inputError(s, err)
		}
		lint.Suppress(findings, sups)
	}
	switch o.output {
	case "json":
		err = writeJSONIndent(s.out, nonNilFindings(findings))
	case "sarif":
		err = writeJSONIndent(s.out, sarifLog(l.Checks(), findings))
	default:
		err = writeFindingsTable(s.out, findings, len(files))
	}
	if err != nil {
		return inputError(s, err)
	}
	for _, f := range findings {
		if !f.Suppressed && rules.SeverityRank(f.Severity) >= failRank {
			return exitDenied
		}
	}
	return exitOK
}

func nonNilFindings(fs []rules.Finding) []rules.Finding {
	if fs == nil {
		return []rules.Finding{}
	}
	return fs
}

// lintFiles expands the arguments: files as given, directories walked for *.json, "-".
func lintFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		if p == "-" {
			out = append(out, p)
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("failed to read policy: %w", err)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".json") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("failed to read policies: %w", err)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// lintAll lints the files on every core; findings come back in file order.
func lintAll(ctx context.Context, l *lint.Linter, files []string, stdin io.Reader) ([]rules.Finding, error) {
	results := make([][]rules.Finding, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				var data []byte
				var err error
				name := files[i]
				if name == "-" {
					data, err = io.ReadAll(io.LimitReader(stdin, policy.MaxPolicySize+1))
					name = "<stdin>"
				} else {
					data, err = os.ReadFile(name)
				}
				if err != nil {
					errs[i] = fmt.Errorf("failed to read policy: %w", err)
					continue
				}
				results[i], errs[i] = l.Lint(ctx, name, data)
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	var out []rules.Finding
	for i := range files {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, results[i]...)
	}
	return out, nil
}

// writeFindingsTable prints a table per file; suppressed findings are counted, not shown.
func writeFindingsTable(w io.Writer, fs []rules.Finding, files int) error {
	counts := map[string]int{}
	suppressed, shown := 0, 0
	var rows [][]string
	flush := func(file string) error {
		if len(rows) == 0 {
			return nil
		}
		fmt.Fprintln(w, file)
		err := table(w, []string{"LINE:COL", "CHECK", "SEVERITY", "STATEMENT", "MESSAGE"}, rows)
		rows = nil
		return err
	}
	current := ""
	for _, f := range fs {
		if f.File != current {
			if err := flush(current); err != nil {
				return err
			}
			current = f.File
		}
		if f.Suppressed {
			suppressed++
			continue
		}
		shown++
		counts[f.Severity]++
		stmt := "-"
		if f.Statement != nil {
			stmt = fmt.Sprint(f.Statement)
		}
		rows = append(rows, []string{fmt.Sprintf("%d:%d", f.Line, f.Col), f.ID, f.Severity, stmt, f.Message})
	}
	if err := flush(current); err != nil {
		return err
	}
	sup := ""
	if suppressed > 0 {
		sup = fmt.Sprintf(", %d suppressed (see -o json)", suppressed)
	}
	if shown == 0 {
		_, err := fmt.Fprintf(w, "no findings in %d file(s)%s\n", files, sup)
		return err
	}
	_, err := fmt.Fprintf(w, "%d error(s), %d warning(s), %d info in %d file(s)%s\n", counts["error"], counts["warning"], counts["info"], files, sup)
	return err
}
