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

// ReadPaths reads every path in order and calls fn for each record,
// de-duplicating on eventID across all inputs (the first copy wins).
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
	err := s.readPaths(paths)
	var cb *callbackError
	if errors.As(err, &cb) {
		return s.stats, cb.err
	}
	if err == nil && len(s.stats.FileErrors) > 0 {
		err = fmt.Errorf("%d of %d inputs failed to read", len(s.stats.FileErrors), s.stats.Files)
	}
	return s.stats, err
}

func (s *session) readPaths(paths []string) error {
	for _, p := range paths {
		if p == "-" {
			in := s.opts.Stdin
			if in == nil {
				in = os.Stdin
			}
			if err := s.fail(StdinName, s.readStream(in, StdinName)); err != nil {
				return err
			}
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			s.stats.Files++
			if err := s.fail(p, &Error{File: p, Offset: -1, Msg: "failed to open", Kind: ErrRead, Err: unwrapPath(err)}); err != nil {
				return err
			}
			continue
		}
		files := []string{p}
		if fi.IsDir() {
			if files, err = s.walk(p); err != nil {
				s.stats.Files++
				if err := s.fail(p, &Error{File: p, Offset: -1, Msg: "failed to walk directory", Kind: ErrRead, Err: unwrapPath(err)}); err != nil {
					return err
				}
				continue
			}
		}
		for _, f := range files {
			if err := s.fail(f, s.readFile(f)); err != nil {
				return err
			}
		}
	}
	return nil
}

// fail records err as a file error under KeepGoing, or returns it.
func (s *session) fail(name string, err error) error {
	if err == nil {
		return nil
	}
	var cb *callbackError
	if errors.As(err, &cb) || !s.opts.KeepGoing {
		return err
	}
	s.stats.FileErrors = append(s.stats.FileErrors, FileError{File: name, Err: err})
	return nil
}

func (s *session) readFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		s.stats.Files++
		return &Error{File: path, Offset: -1, Msg: "failed to open", Kind: ErrRead, Err: unwrapPath(err)}
	}
	defer f.Close()
	return s.readStream(f, path)
}

// walk lists the trail files under dir in sorted path order.
func (s *session) walk(dir string) ([]string, error) {
	var files []string
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
			s.stats.FilesIgnored++
			return nil
		}
		files = append(files, p)
		return nil
	})
	sort.Strings(files)
	return files, err
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
