package trail

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpusDir holds real public records (read only; see its SOURCES.md).
var corpusDir = filepath.Join("..", "..", "shared", "corpus", "trail")

// corpusErrors lists the corpus files that must fail, and why. SOURCES.md
// also calls cloudtrail2sightings/aws.credential-access.secretsmanager-
// retrieve-secrets.json invalid, but it parses (python json agrees): 10 records.
var corpusErrors = map[string]error{
	"aws-cloudtrail-processing-library/SerializerTestFileBadJsonFormat.json": ErrInvalidJSON,
	"aws-cloudtrail-processing-library/SQSMessageBody":                       ErrNotCloudTrail,
	"aws-cloudtrail-processing-library/SQSMessageBodyWrongFormat":            ErrNotCloudTrail,
	"cloudtrail2sightings/aws.execution.ec2-user-data.json":                  ErrInvalidJSON,
}

func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("corpus not found at %s (shared checkout absent): %v", corpusDir, err)
	}
	var files []string
	err := filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != "SOURCES.md" {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var total Stats
	nerr := 0
	for _, f := range files {
		rel, _ := filepath.Rel(corpusDir, f)
		rel = filepath.ToSlash(rel)
		var n int
		st, err := ReadPaths([]string{f}, Options{}, func(r Record) error {
			if r.EventName == "" || r.EventSource == "" || r.Source.File != f {
				t.Errorf("%s: bad record %+v", rel, r.Source)
			}
			n++
			return nil
		})
		if st.Parsed+st.Skipped+st.Duplicates != st.Read {
			t.Errorf("%s: stats do not add up: %+v", rel, st)
		}
		total.Read += st.Read
		total.Parsed += st.Parsed
		total.Skipped += st.Skipped
		total.Duplicates += st.Duplicates
		if want, ok := corpusErrors[rel]; ok {
			if err == nil || !errors.Is(err, want) || !strings.HasPrefix(err.Error(), f+": ") {
				t.Errorf("%s: err = %v, want %v naming the file", rel, err, want)
			}
			nerr++
			t.Logf("%s: %v", rel, err)
			continue
		}
		if err != nil {
			t.Errorf("%s: unexpected error: %v", rel, err)
			continue
		}
		if n == 0 {
			t.Errorf("%s: no records and no error", rel)
		}
		for _, s := range st.Skips {
			t.Logf("%s", s)
		}
	}
	t.Logf("corpus: %d files, %d errors, read %d, parsed %d, skipped %d, duplicates %d",
		len(files), nerr, total.Read, total.Parsed, total.Skipped, total.Duplicates)
	if nerr != len(corpusErrors) {
		t.Errorf("%d expected-error files seen, want %d", nerr, len(corpusErrors))
	}
}
