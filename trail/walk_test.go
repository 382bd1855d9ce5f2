package trail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func walkTree(t *testing.T) string {
	dir := t.TempDir()
	acct := filepath.Join(dir, "AWSLogs", "111122223333")
	writeFile(t, filepath.Join(acct, "CloudTrail", "us-east-1", "b.json.gz"), gz(t, `{"Records":[`+rec("b", "B", "1.11")+`]}`))
	writeFile(t, filepath.Join(acct, "CloudTrail", "us-east-1", "a.json"), `{"Records":[`+rec("a", "A", "1.11")+`,`+rec("b", "B", "1.11")+`]}`)
	writeFile(t, filepath.Join(acct, "CloudTrail", "eu-west-1.json"), `[`+rec("c", "C", "1.08")+`]`)
	writeFile(t, filepath.Join(acct, "CloudTrail", "README.md"), "not a trail file")
	writeFile(t, filepath.Join(acct, "CloudTrail-Digest", "us-east-1", "d.json.gz"), gz(t, `{"digestStartTime":"x","logFiles":[]}`))
	writeFile(t, filepath.Join(acct, "CloudTrail-Insight", "us-east-1", "i.json"), `{"Records":[`+rec("i", "I", "1.07")+`]}`)
	return dir
}

func readAll(t *testing.T, paths []string, opts Options) ([]Record, Stats, error) {
	t.Helper()
	var got []Record
	st, err := ReadPaths(paths, opts, func(r Record) error { got = append(got, r); return nil })
	if st.Parsed+st.Skipped+st.Duplicates != st.Read {
		t.Fatalf("stats do not add up: %+v", st)
	}
	return got, st, err
}

func TestWalkOrderAndDigestSkip(t *testing.T) {
	dir := walkTree(t)
	got, st, err := readAll(t, []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// eu-west-1.json sorts before us-east-1/ ("." < "/"); a.json before b.json.gz.
	if names(got) != "C,A,B" || st.Duplicates != 1 || st.Files != 3 || st.FilesIgnored != 1 {
		t.Fatalf("got %q stats %+v", names(got), st)
	}
	if !strings.HasSuffix(got[0].Source.File, "eu-west-1.json") || !strings.HasSuffix(got[2].Source.File, "a.json") {
		t.Errorf("sources %q %q", got[0].Source.File, got[2].Source.File)
	}

	got, _, err = readAll(t, []string{dir}, Options{IncludeInsight: true})
	if err != nil || names(got) != "I,C,A,B" { // "CloudTrail-Insight" < "CloudTrail/"
		t.Fatalf("with insight: %q %v", names(got), err)
	}
	_, _, err = readAll(t, []string{dir}, Options{IncludeDigest: true})
	if err == nil || !strings.Contains(err.Error(), "d.json.gz: offset 0: found a CloudTrail digest file") {
		t.Fatalf("with digest: %v", err)
	}
}

func TestKeepGoing(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "1.json"), `[`+rec("a", "A", "1.11")+`]`)
	writeFile(t, filepath.Join(dir, "2.json"), `[`+rec("b", "B", "1.11"))
	writeFile(t, filepath.Join(dir, "3.json.gz"), "\x1f\x8b\x08\x00garbage")
	writeFile(t, filepath.Join(dir, "4.json"), `[`+rec("c", "C", "1.11")+`]`)
	missing := filepath.Join(dir, "missing.json")

	_, _, err := readAll(t, []string{dir}, Options{})
	if err == nil || !strings.Contains(err.Error(), "2.json: offset") {
		t.Fatalf("without KeepGoing: %v", err)
	}
	got, st, err := readAll(t, []string{dir, missing}, Options{KeepGoing: true})
	if err == nil || err.Error() != "3 of 5 inputs failed to read" {
		t.Fatalf("err = %v", err)
	}
	if names(got) != "A,B,C" || len(st.FileErrors) != 3 {
		t.Fatalf("got %q, file errors %+v", names(got), st.FileErrors)
	}
	for i, want := range []string{"2.json", "3.json.gz", "missing.json"} {
		fe := st.FileErrors[i]
		if !strings.HasSuffix(fe.File, want) || !strings.HasPrefix(fe.Err.Error(), fe.File+": ") {
			t.Errorf("file error %d: %s: %v", i, fe.File, fe.Err)
		}
	}
}

func TestStdinAndExplicitFile(t *testing.T) {
	dir := t.TempDir()
	odd := filepath.Join(dir, "export.txt")
	writeFile(t, odd, rec("b", "B", "1.11")+"\n")
	stdin := strings.NewReader(rec("a", "A", "1.11") + "\n" + rec("b", "B", "1.11") + "\n")
	got, st, err := readAll(t, []string{"-", odd}, Options{Stdin: stdin})
	if err != nil || names(got) != "A,B" || st.Duplicates != 1 || got[0].Source.File != StdinName {
		t.Fatalf("got %q stats %+v err %v", names(got), st, err)
	}
}
