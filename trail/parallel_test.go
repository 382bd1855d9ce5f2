package trail

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// parallelTree writes n files mixing formats, gzip, duplicates across
// files, skips and (every 7th) a truncated file.
func parallelTree(t *testing.T, n int) string {
	dir := t.TempDir()
	for f := range n {
		var rs []string
		for i := range 50 + f {
			id := fmt.Sprintf("id-%d-%d", f, i)
			if i%10 == 0 {
				id = fmt.Sprintf("shared-%d", i) // the first copy wins
			}
			rs = append(rs, rec(id, fmt.Sprintf("Op%d", i%5), "1.11"))
		}
		rs = append(rs, `"not a record"`, `{"eventSource":"kms.amazonaws.com"}`)
		body := `{"Records":[` + strings.Join(rs, ",") + `]}`
		switch {
		case f%7 == 3:
			body = body[:len(body)/2]
		case f%3 == 1:
			body = "[" + strings.Join(rs, ",") + "]"
		}
		name := filepath.Join(dir, fmt.Sprintf("d%d", f%4), fmt.Sprintf("f%03d.json", f))
		if f%2 == 0 {
			name, body = name+".gz", gz(t, body)
		}
		writeFile(t, name, body)
	}
	writeFile(t, filepath.Join(dir, "notes.txt"), "ignored")
	return dir
}

// sequential reads paths one file at a time in the calling goroutine: the
// result ReadPaths must reproduce.
func sequential(paths []string, opts Options, fn func(Record) error) (Stats, error) {
	s := newSession(opts, fn)
	for _, j := range s.jobs(paths) {
		s.stats.FilesIgnored += j.ignored
		if j.kind == jobNote {
			continue
		}
		s.stats.Files++
		err := j.err
		if j.kind == jobFile {
			err = decodeFile(j.name, opts.Format, &directSink{s: s})
		}
		if err := s.fail(j.name, err); err != nil {
			var cb *callbackError
			if errors.As(err, &cb) {
				return s.stats, cb.err
			}
			return s.stats, err
		}
	}
	if len(s.stats.FileErrors) > 0 {
		return s.stats, fmt.Errorf("%d of %d inputs failed to read", len(s.stats.FileErrors), s.stats.Files)
	}
	return s.stats, nil
}

func TestReadPathsMatchesSequential(t *testing.T) {
	dir := parallelTree(t, 40)
	paths := []string{filepath.Join(dir, "d1"), filepath.Join(dir, "missing"), dir}
	stop := errors.New("stop")
	for _, tt := range []struct {
		name   string
		opts   Options
		stopAt int // fn fails at this record; 0: never
	}{
		{"keep going", Options{KeepGoing: true}, 0},
		{"first error", Options{}, 0},
		{"callback error", Options{KeepGoing: true}, 700},
	} {
		t.Run(tt.name, func(t *testing.T) {
			run := func(read func([]string, Options, func(Record) error) (Stats, error)) ([]string, Stats, error) {
				var got []string
				st, err := read(paths, tt.opts, func(r Record) error {
					if len(got)+1 == tt.stopAt {
						return stop
					}
					got = append(got, fmt.Sprintf("%s %d %s %s", r.Source.File, r.Source.Offset, r.EventID, r.Raw))
					return nil
				})
				return got, st, err
			}
			before := runtime.NumGoroutine()
			got, st, err := run(ReadPaths)
			want, wst, werr := run(sequential)
			if fmt.Sprint(err) != fmt.Sprint(werr) || (tt.stopAt > 0 && err != stop) {
				t.Fatalf("err %v, want %v", err, werr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%d records, want %d", len(got), len(want))
			}
			if fmt.Sprintf("%+v", st) != fmt.Sprintf("%+v", wst) {
				t.Fatalf("stats\n%+v\nwant\n%+v", st, wst)
			}
			if tt.name == "keep going" && (st.Duplicates == 0 || st.Skipped == 0 || st.FilesIgnored != 1 || len(st.FileErrors) == 0) {
				t.Fatalf("tree does not exercise enough: %+v", st)
			}
			for deadline := time.Now().Add(2 * time.Second); runtime.NumGoroutine() > before; {
				if time.Now().After(deadline) {
					t.Fatalf("goroutines: %d, before %d", runtime.NumGoroutine(), before)
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
}

func TestReadPathsRawOutlivesCallback(t *testing.T) {
	dir := parallelTree(t, 6)
	var kept []Record
	if _, err := ReadPaths([]string{dir}, Options{KeepGoing: true}, func(r Record) error {
		kept = append(kept, r)
		return nil
	}); err == nil {
		t.Fatal("want the truncated file's error")
	}
	for _, r := range kept {
		if !validJSON(r.Raw) || !strings.Contains(string(r.Raw), `"eventID":"`+r.EventID+`"`) {
			t.Fatalf("record %s: Raw changed after the callback: %.80s", r.EventID, r.Raw)
		}
	}
	if len(kept) == 0 {
		t.Fatal("no records")
	}
}

func TestReadPathsStdinOnce(t *testing.T) {
	in := strings.NewReader(rec("a", "A", "1.11") + "\n")
	got, st, err := readAll(t, []string{"-", "-"}, Options{Stdin: in, KeepGoing: true})
	if names(got) != "A" || st.Files != 2 || err == nil || !strings.Contains(st.FileErrors[0].Err.Error(), "<stdin>: offset 0: empty input") {
		t.Fatalf("got %q stats %+v err %v", names(got), st, err)
	}
}
