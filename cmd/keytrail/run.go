package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/keytrail/keytrail/policy"
)

// Exit codes.
const (
	exitOK      = 0 // allowed, clean, all tests passed
	exitDenied  = 1 // denied, findings, failed tests
	exitUsage   = 2 // bad command line
	exitInvalid = 3 // unreadable or invalid input
)

type command struct {
	name    string
	summary string
	run     func(args []string, io *stdio) int
}

type stdio struct {
	in       io.Reader
	out, err io.Writer
}

func commands() []command {
	return []command{
		{"simulate", "replay the S3 SSE-KMS walkthrough on simulated KMS and S3", runSimulate},
		{"can", "can PRINCIPAL do ACTION on RESOURCE? the decision and why", runCan},
		{"who", "every principal that can, cannot, or can under conditions do ACTION", runWho},
		{"lint", "check key, bucket, identity policies and SCPs before they merge", runLint},
		{"rules", "list the lint checks, or test Rego rules", runRules},
		{"presign", "print a SigV4 presigned URL for an S3 object (as botocore makes it)", runPresign},
		{"eval", "run evaluator case files and print one JSON decision per case", runEval},
		{"trail", "query CloudTrail records and summarize KMS key usage", runTrail},
		{"test", "run fixture directories and compare with their expectations", runTest},
		{"version", "print the version", runVersion},
	}
}

const mainUsage = `keytrail answers questions about AWS KMS keys and the policies around them.

Usage:
  keytrail COMMAND [ARGS...]

Commands:
%s
Run 'keytrail COMMAND --help' for a command's flags and examples.

Start here:
  keytrail can user/K kms:Decrypt     # on the embedded seed key policy
  keytrail who kms:Decrypt
Exit codes: 0 allowed/ok, 1 denied/failed, 2 usage error, 3 invalid input.
`

func run(args []string, in io.Reader, out, errw io.Writer) int {
	s := &stdio{in: in, out: out, err: errw}
	if len(args) == 0 {
		usage(errw)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		if len(args) > 1 && name == "help" {
			return run([]string{args[1], "--help"}, in, out, errw)
		}
		usage(out)
		return exitOK
	case "--version", "-V":
		return runVersion(nil, s)
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(args[1:], s)
		}
	}
	fmt.Fprintf(errw, "keytrail: error: unknown command %q\n", name)
	if hint := closest(name); hint != "" {
		fmt.Fprintf(errw, "keytrail: hint: did you mean %q?\n", hint)
	}
	fmt.Fprintln(errw, "keytrail: hint: run 'keytrail --help' for the list of commands")
	return exitUsage
}

func usage(w io.Writer) {
	var b strings.Builder
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, mainUsage, b.String())
}

func closest(name string) string {
	for _, c := range commands() {
		if strings.HasPrefix(c.name, name) || strings.HasPrefix(name, c.name) {
			return c.name
		}
	}
	return ""
}

// newFlags makes a subcommand's flag set with its help text.
func newFlags(name, help string, s *stdio) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(s.err)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprint(s.out, strings.TrimLeft(help, "\n"))
		fmt.Fprintln(s.out, "\nFlags:")
		fmt.Fprint(s.out, fs.FlagUsages())
	}
	return fs
}

// parseFlags parses args; it returns (done, code): done when the command should stop
// (help was printed, or a usage error).
func parseFlags(fs *pflag.FlagSet, args []string, s *stdio) (bool, int) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) { // pflag has printed fs.Usage
			return true, exitOK
		}
		return true, usageError(s, fs.Name(), err.Error())
	}
	return false, 0
}

func usageError(s *stdio, cmd, msg string) int {
	fmt.Fprintf(s.err, "keytrail: error: %s\n", msg)
	fmt.Fprintf(s.err, "keytrail: hint: run 'keytrail %s --help'\n", cmd)
	return exitUsage
}

// inputError reports an invalid input: one line, with the source line and a caret under the
// column when the error has a position in a readable file.
func inputError(s *stdio, err error) int {
	fmt.Fprintf(s.err, "keytrail: error: %v\n", err)
	var pe *policy.Error
	if errors.As(err, &pe) && pe.Pos.Line > 0 {
		if line, ok := sourceLine(pe.File, pe.Pos.Line); ok {
			fmt.Fprintf(s.err, "  %s\n  %s^\n", line, caretPad(line, pe.Pos.Col))
		}
	}
	return exitInvalid
}

func sourceLine(file string, n int) (string, bool) {
	st, err := os.Stat(file)
	if err != nil || !st.Mode().IsRegular() || st.Size() > 64<<20 {
		return "", false
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", false
	}
	lines := strings.Split(string(data), "\n")
	if n > len(lines) {
		return "", false
	}
	line := strings.TrimRight(lines[n-1], "\r")
	if len(line) > 200 {
		return "", false
	}
	return line, true
}

// caretPad returns the whitespace that puts a caret under column col (tabs kept as tabs).
func caretPad(line string, col int) string {
	var b strings.Builder
	i := 1
	for _, r := range line {
		if i >= col {
			break
		}
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
		i++
	}
	return b.String()
}
