package trail

import (
	"errors"
	"hash/maphash"
)

// session holds the state shared by all inputs of one read, touched only by
// the goroutine that calls fn: stats and the eventID set used for
// de-duplication.
type session struct {
	opts  Options
	fn    func(Record) error
	stats Stats
	// seen holds two 64-bit hashes of every eventID rather than the ID,
	// which keeps memory flat per record (about 40 bytes, whatever the ID's
	// length); a false duplicate needs both hashes of two IDs to collide.
	seen  map[[2]uint64]struct{}
	seeds [2]maphash.Seed
}

func newSession(opts Options, fn func(Record) error) *session {
	return &session{opts: opts, fn: fn, seen: make(map[[2]uint64]struct{}), seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
}

// deliver counts a record, drops it if its eventID was seen, else calls fn.
func (s *session) deliver(r Record) error {
	st := &s.stats
	st.Read++
	if r.EventID != "" {
		h := [2]uint64{maphash.String(s.seeds[0], r.EventID), maphash.String(s.seeds[1], r.EventID)}
		if _, dup := s.seen[h]; dup {
			st.Duplicates++
			return nil
		}
		s.seen[h] = struct{}{}
	}
	st.Parsed++
	if err := s.fn(r); err != nil {
		return &callbackError{err}
	}
	return nil
}

// skipped counts a candidate that is not a record.
func (s *session) skipped(sk Skip) {
	s.stats.Read++
	s.stats.Skipped++
	s.stats.Skips = append(s.stats.Skips, sk)
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
