package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/tidwall/gjson"

	"github.com/keytrail/keytrail/trail"
)

const trailHelp = `
Usage: keytrail trail SUBCOMMAND [ARGS...]

Reads CloudTrail records: trail delivery files and directories (AWSLogs/... layout, gzip or not),
lookup-events output, JSON lines, arrays and EventBridge envelopes; "-" or no PATH reads stdin.
Records are de-duplicated by eventID.

Subcommands:
  query    print the records that match conditions on their fields
  summary  KMS key usage per key, principal, operation and calling service; S3 data events per bucket
  audit    run the Rego trail rules: key state and policy changes, unexpected key users,
           denial bursts, SSE-C mass encryption, trail tampering and more

Run 'keytrail trail SUBCOMMAND --help' for its flags and examples.

Examples:
  keytrail simulate --trail-out /tmp/t.json
  keytrail trail summary /tmp/t.json
  keytrail trail query 'eventName=Decrypt AND errorCode?' /tmp/t.json -o table
  keytrail trail audit /tmp/t.json --data allow.yaml
`

const trailQueryHelp = `
Usage: keytrail trail query EXPR [PATH...|-] [-o jsonl|table] [--fields a,b,c] [--format F] [--keep-going]

EXPR is one or more conditions joined by " AND " (upper case, spaces around it; quote the whole
EXPR in the shell). Each condition is a gjson path (https://github.com/tidwall/gjson) and:
  path=value    equal; numbers and booleans compare by value (readOnly=true matches true);
                a value in double quotes compares as a string only
  path!=value   not equal; also true when path is absent
  path~glob     the value matches glob: * any run of characters, ? one character
  path?         path exists and is not null

Matching records go to stdout: as compact JSON lines (-o jsonl, the default) or as a table of
eventTime, eventSource, eventName, userIdentity.arn and errorCode (or the --fields paths). A
count goes to stderr: "N of M records matched (files F, duplicates D, skipped S)", then why each
skipped candidate was skipped.

Examples:
  keytrail trail query 'eventName=Decrypt AND errorCode?' trail.json -o table
  keytrail trail query 'userIdentity.arn~*:user/K AND readOnly=true' AWSLogs/
  keytrail trail query 'requestParameters.encryptionContext.aws:s3:arn?' - < lookup.json
  keytrail trail query 'eventSource=kms.amazonaws.com' trail.json -o table \
      --fields 'eventName,resources.#(type=="AWS::KMS::Key").ARN'

Exit status: 0 a record matched, 1 none matched, 2 usage error, 3 unreadable input (with
--keep-going: after printing what could be read).
`

const trailSummaryHelp = `
Usage: keytrail trail summary [PATH...|-] [--by key|principal|event|via|day] [-o table|json] [--format F] [--keep-going]

Summarizes KMS key usage: every kms.amazonaws.com record is counted under
  key        the AWS::KMS::Key resource ARN, else requestParameters.keyId, else (none)
  principal  userIdentity.arn; for AWSService identities invokedBy; for AWSAccount
             identities account:ID; else invokedBy or the identity type
  operation  eventName
  via        the service that made the call, from the encryption context: aws:cloudtrail:arn
             cloudtrail (its log delivery also sets aws:s3:arn), aws:s3:arn s3 (with the
             bucket), aws:s3express:arn s3express, aws:ebs:id ebs, aws:lambda:FunctionArn lambda, aws:logs:arn logs,
             aws:rds:db-id rds, SecretARN secretsmanager, PARAMETER_ARN ssm; else
             userIdentity.invokedBy without .amazonaws.com; else direct
with its count, errors (records with an errorCode) and first and last eventTime. --by puts that
column first and sorts by it (day also splits the counts per UTC day). S3 data events
(s3.amazonaws.com) are counted per bucket, by eventName and by additionalEventData.SSEApplied.

-o json prints one object:
  {"records": N, "kmsRecords": N, "s3Records": N, "by": "key",
   "kms": [{"day"?, "key", "principal", "operation", "via", "bucket"?, "count", "errors",
            "first", "last"}],
   "s3": [{"bucket", "count", "errors", "events": {NAME: N}, "sse": {SSE: N}, "first", "last"}]}
with both lists sorted as in the table.

Examples:
  keytrail simulate --trail-out /tmp/t.json && keytrail trail summary /tmp/t.json
  keytrail trail summary AWSLogs/ --by principal
  keytrail trail summary --by day -o json - < records.jsonl

Exit status: 0 ok, 2 usage error, 3 unreadable input.
`

// trailMemoryLimit is the Go heap's soft limit for trail commands, unless GOMEMLIMIT says
// otherwise: they stream whatever the input size, so collecting garbage earlier keeps the
// process well under 150 MB where the default (collect when the heap doubles) would not.
const trailMemoryLimit = 112 << 20

func runTrail(args []string, s *stdio) int {
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(trailMemoryLimit))
		if os.Getenv("GOGC") == "" {
			// Under the limit, collect less often than the default: the limit bounds the heap
			// (measured: audit 10-17% faster, peak RSS still under 130 MB at 1 GB).
			defer debug.SetGCPercent(debug.SetGCPercent(300))
		}
	}
	if len(args) == 0 {
		fmt.Fprint(s.err, strings.TrimLeft(trailHelp, "\n"))
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(s.out, strings.TrimLeft(trailHelp, "\n"))
		return exitOK
	case "query":
		return runTrailQuery(args[1:], s)
	case "summary":
		return runTrailSummary(args[1:], s)
	case "audit":
		return runTrailAudit(args[1:], s)
	}
	return usageError(s, "trail", fmt.Sprintf("unknown trail subcommand %q", args[0]))
}

// readFlags are the input flags shared by the trail subcommands.
type readFlags struct {
	format    string
	keepGoing bool
}

func (f *readFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.format, "format", "auto", "input `FORMAT`: auto, records, lookup-events, jsonl, array or eventbridge")
	fs.BoolVar(&f.keepGoing, "keep-going", false, "report unreadable files and go on with the others")
}

func (f *readFlags) options(s *stdio) (trail.Options, error) {
	format, err := trail.ParseFormat(f.format)
	if err != nil {
		return trail.Options{}, err
	}
	return trail.Options{Format: format, KeepGoing: f.keepGoing, Stdin: s.in}, nil
}

// readTrail reads paths (stdin when none) and prints file errors collected by --keep-going.
// While it reads, a progress line is drawn on stderr when that is a terminal.
func readTrail(paths []string, opts trail.Options, s *stdio, fn func(trail.Record) error) (trail.Stats, error) {
	if len(paths) == 0 {
		paths = []string{"-"}
	}
	prog := newProgress(s.err)
	st, err := trail.ReadPaths(paths, opts, func(r trail.Record) error {
		prog.record(r.Source.File)
		return fn(r)
	})
	prog.done()
	for _, fe := range st.FileErrors {
		fmt.Fprintf(s.err, "keytrail: warning: %v\n", fe.Err)
	}
	return st, err
}

// maxSkipLines caps the skipped candidates listed on stderr; the count covers them all.
const maxSkipLines = 20

func writeSkips(w io.Writer, st trail.Stats) {
	for i, sk := range st.Skips {
		if i == maxSkipLines {
			fmt.Fprintf(w, "  ... and %d more skipped\n", len(st.Skips)-maxSkipLines)
			break
		}
		fmt.Fprintf(w, "  %s\n", sk)
	}
}

func runTrailQuery(args []string, s *stdio) int {
	var rf readFlags
	var output, fields string
	fs := newFlags("trail query", trailQueryHelp, s)
	fs.StringVarP(&output, "output", "o", "jsonl", "output format: jsonl or table")
	fs.StringVar(&fields, "fields", "", "table columns: comma-separated gjson `PATHS`")
	rf.register(fs)
	if done, code := parseFlags(fs, args, s); done {
		return code
	}
	if output != "jsonl" && output != "table" {
		return usageError(s, "trail query", fmt.Sprintf("--output: expected jsonl or table, not %q", output))
	}
	if fs.NArg() == 0 {
		return usageError(s, "trail query", "expected an EXPR, such as 'eventName=Decrypt AND errorCode?'")
	}
	q, err := trail.ParseQuery(fs.Arg(0))
	if err != nil {
		return usageError(s, "trail query", err.Error())
	}
	cols := []string{"eventTime", "eventSource", "eventName", "userIdentity.arn", "errorCode"}
	if fields != "" {
		cols = strings.Split(fields, ",")
	}
	opts, err := rf.options(s)
	if err != nil {
		return usageError(s, "trail query", err.Error())
	}
	matched := 0
	var rows [][]string
	st, rerr := readTrail(fs.Args()[1:], opts, s, func(r trail.Record) error {
		if !q.Match(r) {
			return nil
		}
		matched++
		if output == "table" {
			row := make([]string, len(cols))
			for i, c := range cols {
				row[i] = gjson.GetBytes(r.Raw, c).String()
			}
			rows = append(rows, row)
			return nil
		}
		_, err := fmt.Fprintf(s.out, "%s\n", compact(r.Raw))
		return err
	})
	if output == "table" && matched > 0 {
		if err := table(s.out, cols, rows); err != nil {
			return inputError(s, err)
		}
	}
	fmt.Fprintf(s.err, "%d of %d records matched (files %d, duplicates %d, skipped %d)\n",
		matched, st.Parsed, st.Files, st.Duplicates, st.Skipped)
	writeSkips(s.err, st)
	switch {
	case rerr != nil:
		return inputError(s, rerr)
	case matched == 0:
		return exitDenied
	}
	return exitOK
}

// compact returns raw on one line.
func compact(raw []byte) []byte {
	return []byte(gjson.GetBytes(raw, "@ugly").Raw)
}

func runTrailSummary(args []string, s *stdio) int {
	var rf readFlags
	var output, by string
	fs := newFlags("trail summary", trailSummaryHelp, s)
	fs.StringVar(&by, "by", "key", "first column and sort: key, principal, event, via or day")
	fs.VarP(newOutputFlag(&output), "output", "o", "output format: table or json")
	rf.register(fs)
	if done, code := parseFlags(fs, args, s); done {
		return code
	}
	dim := trail.Dim(by)
	switch dim {
	case trail.ByKey, trail.ByPrincipal, trail.ByEvent, trail.ByVia, trail.ByDay:
	default:
		return usageError(s, "trail summary", fmt.Sprintf("--by: expected key, principal, event, via or day, not %q", by))
	}
	opts, err := rf.options(s)
	if err != nil {
		return usageError(s, "trail summary", err.Error())
	}
	sum := trail.NewSummary()
	st, rerr := readTrail(fs.Args(), opts, s, func(r trail.Record) error {
		sum.Add(r)
		return nil
	})
	if rerr != nil && !rf.keepGoing {
		return inputError(s, rerr)
	}
	rep := sum.Report(dim)
	if output == "json" {
		err = writeJSONIndent(s.out, rep)
	} else {
		err = writeSummaryTables(s.out, dim, rep.KMS, rep.S3)
	}
	if err != nil {
		return inputError(s, err)
	}
	fmt.Fprintf(s.err, "%d records: %d KMS, %d S3 (files %d, duplicates %d, skipped %d)\n",
		st.Parsed, sum.KMSRecords, sum.S3Records, st.Files, st.Duplicates, st.Skipped)
	writeSkips(s.err, st)
	if rerr != nil {
		return inputError(s, rerr)
	}
	return exitOK
}

func writeSummaryTables(w io.Writer, by trail.Dim, usage []trail.Usage, buckets []trail.BucketUsage) error {
	dims := []trail.Dim{trail.ByKey, trail.ByPrincipal, trail.ByEvent, trail.ByVia}
	names := map[trail.Dim]string{trail.ByKey: "KEY", trail.ByPrincipal: "PRINCIPAL", trail.ByEvent: "OPERATION", trail.ByVia: "VIA", trail.ByDay: "DAY"}
	order := []trail.Dim{by}
	for _, d := range dims {
		if d != by {
			order = append(order, d)
		}
	}
	var header []string
	for _, d := range order {
		header = append(header, names[d])
	}
	header = append(header, "COUNT", "ERRORS", "FIRST", "LAST")
	var rows [][]string
	for _, u := range usage {
		var row []string
		for _, d := range order {
			v := u.Dim(d)
			if d == trail.ByVia && u.Bucket != "" {
				v += " (" + u.Bucket + ")"
			}
			row = append(row, v)
		}
		rows = append(rows, append(row, fmt.Sprint(u.Count), fmt.Sprint(u.Errors), stamp(u.First), stamp(u.Last)))
	}
	fmt.Fprintln(w, "KMS key usage")
	if err := table(w, header, rows); err != nil {
		return err
	}
	if len(buckets) == 0 {
		return nil
	}
	rows = rows[:0]
	for _, b := range buckets {
		rows = append(rows, []string{b.Bucket, fmt.Sprint(b.Count), fmt.Sprint(b.Errors), counts(b.Events), counts(b.SSE), stamp(b.First), stamp(b.Last)})
	}
	fmt.Fprintln(w, "\nS3 data events")
	return table(w, []string{"BUCKET", "COUNT", "ERRORS", "EVENTS", "SSE", "FIRST", "LAST"}, rows)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// counts renders a map as "a 2, b 1" sorted by name.
func counts(m map[string]int) string {
	var parts []string
	for k, n := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}
