package trail

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// StdinName is the Source.File of records read from "-".
const StdinName = "<stdin>"

// ReadPaths reads every path in order and calls fn for each record, one at
// a time from the calling goroutine (files are decoded in parallel behind
// it), de-duplicating on eventID across all inputs (the first copy wins).
// "-" reads Options.Stdin. A directory is walked and its JSON-like files
// (see IsTrailFile) are read in sorted path order; directories named
// CloudTrail-Digest and CloudTrail-Insight are skipped unless included.
//
// Without KeepGoing the first file error is returned as is. With KeepGoing
// file errors are collected in Stats.FileErrors and the returned error says
// how many files failed. An error from fn always stops reading and is
// returned unchanged.
func ReadPaths(paths []string, opts Options, fn func(Record) error) (Stats, error) {
	s := newSession(opts, fn)
	err := s.run(s.jobs(paths))
	var cb *callbackError
	if errors.As(err, &cb) {
		return s.stats, cb.err
	}
	if err == nil && len(s.stats.FileErrors) > 0 {
		err = fmt.Errorf("%d of %d inputs failed to read", len(s.stats.FileErrors), s.stats.Files)
	}
	return s.stats, err
}

// jobs lists the inputs named by paths in reading order.
func (s *session) jobs(paths []string) []*job {
	var jobs []*job
	add := func(j *job) {
		if j.kind == jobFile || j.kind == jobStdin {
			j.out = make(chan chunk, chunkQueue)
		}
		jobs = append(jobs, j)
	}
	for _, p := range paths {
		if p == "-" {
			add(&job{kind: jobStdin, name: StdinName})
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			add(&job{kind: jobFail, name: p, err: &Error{File: p, Offset: -1, Msg: "failed to open", Kind: ErrRead, Err: unwrapPath(err)}})
			continue
		}
		if !fi.IsDir() {
			add(&job{kind: jobFile, name: p})
			continue
		}
		files, ignored, err := s.walk(p)
		if err != nil {
			add(&job{kind: jobFail, name: p, ignored: ignored, err: &Error{File: p, Offset: -1, Msg: "failed to walk directory", Kind: ErrRead, Err: unwrapPath(err)}})
			continue
		}
		add(&job{kind: jobNote, ignored: ignored})
		for _, f := range files {
			add(&job{kind: jobFile, name: f})
		}
	}
	return jobs
}

// walk lists the trail files under dir in sorted path order and counts
// the files it ignores.
func (s *session) walk(dir string) ([]string, int, error) {
	var files []string
	ignored := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == dir {
				return nil
			}
			switch d.Name() {
			case "CloudTrail-Digest":
				if !s.opts.IncludeDigest {
					return filepath.SkipDir
				}
			case "CloudTrail-Insight":
				if !s.opts.IncludeInsight {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		if !IsTrailFile(d.Name()) {
			ignored++
			return nil
		}
		files = append(files, p)
		return nil
	})
	sort.Strings(files)
	return files, ignored, err
}

// IsTrailFile reports whether a file found while walking a directory is
// read: names ending in .json, .jsonl or .ndjson, optionally followed by
// .gz, or any other .gz file; hidden files are ignored. Paths named
// explicitly are always read, whatever their name.
func IsTrailFile(name string) bool {
	if strings.HasPrefix(name, ".") {
		return false
	}
	n := strings.ToLower(name)
	if strings.HasSuffix(n, ".gz") {
		return true
	}
	for _, ext := range []string{".json", ".jsonl", ".ndjson"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

// unwrapPath drops the *fs.PathError wrapper, whose path Error already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
