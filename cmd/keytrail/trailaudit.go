package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/keytrail/keytrail/rules"
	"github.com/keytrail/keytrail/trail/audit"
)

const trailAuditHelp = `
Usage: keytrail trail audit [PATH...|-] [--rules DIR]... [--data F]... [--disable ID]...
                            [-o table|json|sarif] [--fail-on LEVEL] [--format F] [--keep-going]

Runs the trail rules over CloudTrail records: the 13 built-in Rego rules (keytrail rules list
--set trail) and your own (--rules DIR: packages keytrail.trail.<name>, see rules/trail/README.md).
Each finding names the rule, severity, record (eventID, eventTime, file, byte offset),
principal, key and what happened. Stateful rules keep their state across files: bursts are
counted in a sliding window over eventTime (access-denied-burst: 40 denials in 6 minutes;
sse-c-mass-encryption: 20 SSE-C writes per bucket in 6 minutes), a DisableKey followed by an
EnableKey of the same key is reported as resolved, cross-account twins once.

--data FILE (JSON or YAML, repeatable, merged) gives the rules what the logs cannot:
  key_users:        {KEY-ARN-PATTERN: [PRINCIPAL-PATTERN, ...]}   unexpected-key-user
  s3_keys:          [KEY-ARN-PATTERN]      keys only S3 may use      s3-key-used-outside-s3
  imported_keys:    [KEY-ARN-PATTERN]      keys with imported material  imported-key-material
  sse_kms_buckets:  [BUCKET-PATTERN]       buckets that must be SSE-KMS  object-not-sse-kms,
                                                                      bucket-encryption-changed
  trusted_accounts: [ACCOUNT-ID]           accounts that are not foreign
  thresholds:       {RULE-ID: {threshold: N, window: 10m}}
Patterns are globs: * matches any run of characters, ? one.

Output: a table (resolved findings marked), or -o json {"findings": [...], "stats": {...}}, or
-o sarif (2.1.0; the location is the file and the record's byte offset in the decoded stream).
A count goes to stderr: records read, audited, findings by severity, skipped candidates. A
progress line is drawn on stderr when it is a terminal.

Examples:
  keytrail simulate --trail-out /tmp/t.json && keytrail trail audit /tmp/t.json
  keytrail trail audit AWSLogs/ --data allow.yaml --fail-on warning -o sarif > audit.sarif
  keytrail trail audit --rules ./team-rules --disable cross-account-key-use - < records.jsonl

Exit status: 0 no open finding at or above --fail-on (default error), 1 findings, 2 usage
error, 3 unreadable input or rules (with --keep-going: after auditing what could be read).
`

type auditJSON struct {
	Findings []rules.AuditFinding `json:"findings"`
	Stats    auditStatsJSON       `json:"stats"`
}

type auditStatsJSON struct {
	Files      int              `json:"files"`
	Read       int              `json:"read"`
	Parsed     int              `json:"records"`
	Duplicates int              `json:"duplicates"`
	Skipped    int              `json:"skipped"`
	Evaluated  map[string]int64 `json:"evaluated"`
	Findings   map[string]int   `json:"findings"`
	Resolved   int              `json:"resolved"`
}

func runTrailAudit(args []string, s *stdio) int {
	var rf readFlags
	var ruleDirs, dataFiles, disable []string
	var output, failOn string
	fs := newFlags("trail audit", trailAuditHelp, s)
	fs.StringArrayVar(&ruleDirs, "rules", nil, "also run the Rego rules in `DIR` (repeatable)")
	fs.StringArrayVar(&dataFiles, "data", nil, "allowlists and thresholds `FILE`, JSON or YAML (repeatable)")
	fs.StringArrayVar(&disable, "disable", nil, "skip the rule `ID` (repeatable)")
	fs.StringVarP(&output, "output", "o", "table", "output `FORMAT`: table, json or sarif")
	fs.StringVar(&failOn, "fail-on", "error", "exit 1 on open findings at or above `LEVEL`: error, warning, info or never")
	rf.register(fs)
	if done, code := parseFlags(fs, args, s); done {
		return code
	}
	switch output {
	case "table", "json", "sarif":
	default:
		return usageError(s, "trail audit", fmt.Sprintf("invalid --output %q: expected table, json or sarif", output))
	}
	failRank := map[string]int{"error": 3, "warning": 2, "info": 1, "never": 99}[failOn]
	if failRank == 0 {
		return usageError(s, "trail audit", fmt.Sprintf("invalid --fail-on %q: expected error, warning, info or never", failOn))
	}
	opts, err := rf.options(s)
	if err != nil {
		return usageError(s, "trail audit", err.Error())
	}
	config, err := audit.LoadData(dataFiles)
	if err != nil {
		return inputError(s, err)
	}
	ctx := context.Background()
	au, err := audit.New(ctx, audit.Options{RuleDirs: ruleDirs, Config: config, Disable: disable})
	if err != nil {
		if strings.HasPrefix(err.Error(), "--disable") {
			return usageError(s, "trail audit", err.Error())
		}
		return inputError(s, err)
	}
	st, rerr := readTrail(fs.Args(), opts, s, au.Add)
	findings, ast, aerr := au.Close()
	if aerr != nil {
		return inputError(s, aerr)
	}
	if rerr != nil && !rf.keepGoing {
		return inputError(s, rerr)
	}
	bySev := map[string]int{}
	resolved, failing := 0, 0
	for _, f := range findings {
		if f.Resolved {
			resolved++
			continue
		}
		bySev[f.Severity]++
		if rules.SeverityRank(f.Severity) >= failRank {
			failing++
		}
	}
	if findings == nil {
		findings = []rules.AuditFinding{}
	}
	switch output {
	case "json":
		err = writeJSONIndent(s.out, auditJSON{findings, auditStatsJSON{st.Files, st.Read, st.Parsed, st.Duplicates, st.Skipped, ast.Evaluated, bySev, resolved}})
	case "sarif":
		err = writeJSONIndent(s.out, sarifAudit(au.Rules(), findings))
	default:
		err = writeAuditTable(s.out, findings)
	}
	if err != nil {
		return inputError(s, err)
	}
	fmt.Fprintf(s.err, "%d records audited: %d error(s), %d warning(s), %d info, %d resolved (files %d, duplicates %d, skipped %d)\n",
		st.Parsed, bySev["error"], bySev["warning"], bySev["info"], resolved, st.Files, st.Duplicates, st.Skipped)
	writeSkips(s.err, st)
	switch {
	case rerr != nil:
		return inputError(s, rerr)
	case failing > 0:
		return exitDenied
	}
	return exitOK
}

func writeAuditTable(w io.Writer, fs []rules.AuditFinding) error {
	if len(fs) == 0 {
		_, err := fmt.Fprintln(w, "no findings")
		return err
	}
	var rows [][]string
	for _, f := range fs {
		sev := f.Severity
		if f.Resolved {
			sev = "resolved"
		}
		rows = append(rows, []string{stamp(f.EventTime), f.ID, sev, f.EventName, f.Message, fmt.Sprintf("%s\n%s@%d", f.EventID, f.File, f.Offset)})
	}
	return tableWrap(w, []string{"TIME", "RULE", "SEVERITY", "EVENT", "MESSAGE", "RECORD (eventID, file@offset)"}, rows, 72)
}
