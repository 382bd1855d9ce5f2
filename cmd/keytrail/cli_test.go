package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden outputs of testdata/scripts/*.txt")

// A script holds commands and their expected exit code, stdout and stderr:
//
//	-- cmd --
//	can user/K kms:Decrypt
//	-- exit --
//	0
//	-- stdout --
//	...
//	-- stderr --
//	...
//
// An optional "-- stdin --" section before "-- exit --" feeds standard input. Commands run
// in-process from the repository root. `go test -update` rewrites the outputs.
type step struct {
	cmd, stdin             string
	exit                   int
	stdout, stderr, hasStd string
}

func parseScript(t *testing.T, data string) []*step {
	t.Helper()
	var steps []*step
	var cur *step
	var section string
	var body strings.Builder
	flush := func() {
		if cur == nil || section == "" {
			return
		}
		text := body.String()
		switch section {
		case "cmd":
			cur.cmd = strings.TrimSpace(text)
		case "stdin":
			cur.stdin = text
		case "exit":
			n, err := strconv.Atoi(strings.TrimSpace(text))
			if err != nil {
				t.Fatalf("bad exit section %q", text)
			}
			cur.exit = n
		case "stdout":
			cur.stdout = text
		case "stderr":
			cur.stderr = text
		}
		body.Reset()
	}
	for _, line := range strings.SplitAfter(data, "\n") {
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(strings.TrimSpace(line), " --") {
			flush()
			section = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(line), "-- "), " --")
			if section == "cmd" {
				cur = &step{}
				steps = append(steps, cur)
			}
			continue
		}
		if section != "" {
			body.WriteString(line)
		}
	}
	flush()
	return steps
}

func formatScript(steps []*step) string {
	var b strings.Builder
	for _, s := range steps {
		fmt.Fprintf(&b, "-- cmd --\n%s\n", s.cmd)
		if s.stdin != "" {
			fmt.Fprintf(&b, "-- stdin --\n%s", s.stdin)
		}
		fmt.Fprintf(&b, "-- exit --\n%d\n-- stdout --\n%s-- stderr --\n%s", s.exit, s.stdout, s.stderr)
	}
	return b.String()
}

// splitArgs splits a command line on spaces, honouring single and double quotes.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	inWord := false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

func TestScripts(t *testing.T) {
	scripts, err := filepath.Glob("testdata/scripts/*.txt")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for i := range scripts {
		scripts[i], _ = filepath.Abs(scripts[i])
	}
	t.Chdir("../..")
	for _, path := range scripts {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			steps := parseScript(t, string(data))
			for _, s := range steps {
				var out, errw bytes.Buffer
				code := run(splitArgs(s.cmd), strings.NewReader(s.stdin), &out, &errw)
				if *update {
					s.exit, s.stdout, s.stderr = code, out.String(), errw.String()
					continue
				}
				if code != s.exit {
					t.Errorf("%s: exit %d, want %d\nstderr: %s", s.cmd, code, s.exit, errw.String())
				}
				if out.String() != s.stdout {
					t.Errorf("%s: stdout differs\n--- got ---\n%s--- want ---\n%s", s.cmd, out.String(), s.stdout)
				}
				if errw.String() != s.stderr {
					t.Errorf("%s: stderr differs\n--- got ---\n%s--- want ---\n%s", s.cmd, errw.String(), s.stderr)
				}
			}
			if *update {
				if err := os.WriteFile(path, []byte(formatScript(steps)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestVersion(t *testing.T) {
	var out, errw bytes.Buffer
	if code := run([]string{"version"}, nil, &out, &errw); code != exitOK || !strings.HasPrefix(out.String(), "keytrail ") {
		t.Fatalf("version: exit %d, %q", code, out.String())
	}
}

// TestBadInputNeverPanics feeds malformed and oversized inputs through can: each must give
// exit 3 and a one-line error (plus at most a source line and a caret), never a panic.
func TestBadInputNeverPanics(t *testing.T) {
	dir := t.TempDir()
	big := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(`{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"},`, 19000) + `{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`
	bigBad := strings.TrimSuffix(big, "]}") + `,{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Bogus":1}]}`
	inputs := map[string]string{
		"empty":       "",
		"not-json":    "hello",
		"array":       "[]",
		"deep":        strings.Repeat("[", 12000) + strings.Repeat("]", 12000),
		"deep-object": strings.Repeat(`{"a":`, 12000) + "1" + strings.Repeat("}", 12000),
		"big-bad":     bigBad,
		"nul":         "{\"Statement\": \"\x00\"}",
		"utf8":        "{\"Version\": \"\xff\"}",
	}
	if len(big) < 1<<20 {
		t.Fatalf("big policy is only %d bytes", len(big))
	}
	for name, text := range inputs {
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errw bytes.Buffer
		code := run([]string{"can", "user/Bob", "kms:Decrypt", "--policy", p}, nil, &out, &errw)
		lines := strings.Split(strings.TrimSpace(errw.String()), "\n")
		if code != exitInvalid || !strings.HasPrefix(lines[0], "keytrail: error: ") || len(lines) > 3 {
			t.Errorf("%s: exit %d, stderr %q", name, code, errw.String())
		}
	}
	// The valid 1 MB policy is read and evaluated.
	p := filepath.Join(dir, "big.json")
	if err := os.WriteFile(p, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errw bytes.Buffer
	if code := run([]string{"can", "user/Bob", "kms:Decrypt", "--policy", p}, nil, &out, &errw); code != exitOK {
		t.Errorf("1 MB valid policy: exit %d, %s", code, errw.String())
	}
}
