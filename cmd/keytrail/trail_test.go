package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/trail"
)

// TestTrailSimulated writes the seed walkthrough's trail with simulate, then queries and
// summarizes it through the CLI.
func TestTrailSimulated(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.json")
	var out, errw bytes.Buffer
	if code := run([]string{"simulate", "--trail-out", path}, nil, &out, &errw); code != exitOK {
		t.Fatalf("simulate: exit %d: %s", code, errw.String())
	}

	out.Reset()
	errw.Reset()
	if code := run([]string{"trail", "summary", path, "-o", "json"}, nil, &out, &errw); code != exitOK {
		t.Fatalf("summary: exit %d: %s", code, errw.String())
	}
	var sum trail.Report
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Records != 15 || sum.KMSRecords != 7 || sum.S3Records != 8 {
		t.Errorf("records %d/%d/%d, want 15/7/8", sum.Records, sum.KMSRecords, sum.S3Records)
	}
	var bobDenied, kGenerate bool
	for _, u := range sum.KMS {
		switch {
		case strings.HasSuffix(u.Principal, ":user/Bob") && u.Operation == "Decrypt":
			bobDenied = u.Count == 1 && u.Errors == 1 && u.Via == "s3" && u.Bucket == "kms-bogo-test"
		case strings.HasSuffix(u.Principal, ":user/K") && u.Operation == "GenerateDataKey":
			kGenerate = u.Count == 1 && u.Errors == 0 && u.Via == "s3"
		}
	}
	if !bobDenied || !kGenerate {
		t.Errorf("summary rows: %+v", sum.KMS)
	}

	out.Reset()
	errw.Reset()
	code := run([]string{"trail", "query", "eventName=Decrypt AND errorCode?", path}, nil, &out, &errw)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if code != exitOK || len(lines) != 2 {
		t.Fatalf("query: exit %d, %d lines: %s%s", code, len(lines), out.String(), errw.String())
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("not one JSON record per line: %s", l)
		}
	}
	if want := "2 of 15 records matched (files 1, duplicates 0, skipped 0)\n"; errw.String() != want {
		t.Errorf("stderr %q, want %q", errw.String(), want)
	}
}

// TestTrailBadInput: unreadable input gives exit 3 and a one-line error, never a panic;
// --keep-going reads the good file first.
func TestTrailBadInput(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"Records":[{"eventID":"a","eventSource":"kms.amazonaws.com","eventName":"Decrypt"}]}`), 0o644)
	for name, text := range map[string]string{"truncated": `{"Records":[{"eventName":`, "not-json": "hello", "gzip": "\x1f\x8bxx"} {
		bad := filepath.Join(dir, name+".json")
		os.WriteFile(bad, []byte(text), 0o644)
		for _, sub := range [][]string{{"query", "eventName?"}, {"summary"}} {
			var out, errw bytes.Buffer
			args := append([]string{"trail"}, sub...)
			code := run(append(args, bad), nil, &out, &errw)
			errs := strings.Count(errw.String(), "keytrail: error:")
			if code != exitInvalid || errs != 1 {
				t.Errorf("%s %s: exit %d, stderr %q", sub[0], name, code, errw.String())
			}
			out.Reset()
			errw.Reset()
			code = run(append(args, "--keep-going", good, bad), nil, &out, &errw)
			if code != exitInvalid || !strings.Contains(out.String(), "Decrypt") || !strings.Contains(errw.String(), "keytrail: warning: ") {
				t.Errorf("%s --keep-going %s: exit %d, stdout %q, stderr %q", sub[0], name, code, out.String(), errw.String())
			}
		}
	}
}
