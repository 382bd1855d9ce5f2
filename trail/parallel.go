package trail

import (
	"errors"
	"os"
	"runtime"
	"sync"
)

// jobKind says what a job does.
type jobKind int

const (
	jobNote  jobKind = iota // only accounts for ignored files
	jobFile                 // read a file
	jobStdin                // read Options.Stdin
	jobFail                 // an input that failed before it could be read
)

// job is one input of ReadPaths, in order.
type job struct {
	kind    jobKind
	name    string // the path, or StdinName
	err     error  // jobFail's error
	ignored int    // Stats.FilesIgnored found by the walk that listed this job

	out   chan chunk    // decoded chunks; the last has last set
	after chan struct{} // jobStdin: closed when the previous stdin job is done
	done  chan struct{} // jobStdin: closed when this job is done
}

// chunk is a run of one file's candidates: recs in order, with skips[i]
// coming before recs[at[i]] (at[i] == len(recs): after all of them).
type chunk struct {
	recs  []Record
	skips []Skip
	at    []int
	last  bool
	err   error // the file's error, in the last chunk
}

const (
	chunkBytes   = 256 << 10 // record bytes per chunk
	chunkRecords = 1024
	chunkQueue   = 4 // chunks buffered per file
)

// errStopped tells a decoder the consumer is gone.
var errStopped = errors.New("reading stopped")

// chunkSink batches a decoder's candidates into chunks.
type chunkSink struct {
	out   chan<- chunk
	stop  <-chan struct{}
	c     chunk
	bytes int
	arena arena
}

func (cs *chunkSink) record(r Record) error {
	r.Raw = cs.arena.copy(r.Raw)
	cs.c.recs = append(cs.c.recs, r)
	cs.bytes += len(r.Raw)
	if cs.bytes >= chunkBytes || len(cs.c.recs) >= chunkRecords {
		return cs.send()
	}
	return nil
}

func (cs *chunkSink) skip(sk Skip) error {
	cs.c.skips = append(cs.c.skips, sk)
	cs.c.at = append(cs.c.at, len(cs.c.recs))
	return nil
}

func (cs *chunkSink) send() error {
	select {
	case cs.out <- cs.c:
	case <-cs.stop:
		return errStopped
	}
	cs.c, cs.bytes = chunk{recs: make([]Record, 0, len(cs.c.recs))}, 0
	return nil
}

// run decodes several jobs at once (gunzip, scan, parse) and hands their
// records to fn one at a time from the calling goroutine, in job order and
// record order, so the result is the one a sequential read gives. At most
// GOMAXPROCS+1 files are in flight, each holding at most chunkQueue chunks
// of records, so memory does not grow with the input; a stop (fn's error or
// a file error) ends every goroutine before run returns.
func (s *session) run(jobs []*job) error {
	inflight := runtime.GOMAXPROCS(0) + 1
	sem := make(chan struct{}, inflight)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	defer func() {
		close(stop)
		wg.Wait()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		var prev chan struct{}
		for _, j := range jobs {
			if j.kind != jobFile && j.kind != jobStdin {
				continue
			}
			if j.kind == jobStdin {
				j.after, j.done = prev, make(chan struct{})
				prev = j.done
			}
			select {
			case sem <- struct{}{}:
			case <-stop:
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.decode(j, stop)
			}()
		}
	}()
	for _, j := range jobs {
		s.stats.FilesIgnored += j.ignored
		if j.kind == jobNote {
			continue
		}
		s.stats.Files++
		err := j.err
		if j.kind != jobFail {
			err = s.consume(j)
			<-sem
		}
		if err := s.fail(j.name, err); err != nil {
			return err
		}
	}
	return nil
}

// consume hands one job's candidates to the session and returns its error.
func (s *session) consume(j *job) error {
	for c := range j.out {
		si := 0
		for i, r := range c.recs {
			for ; si < len(c.skips) && c.at[si] <= i; si++ {
				s.skipped(c.skips[si])
			}
			if err := s.deliver(r); err != nil {
				return err
			}
		}
		for ; si < len(c.skips); si++ {
			s.skipped(c.skips[si])
		}
		if c.last {
			return c.err
		}
	}
	return nil
}

// decode reads one job into its channel.
func (s *session) decode(j *job, stop <-chan struct{}) {
	cs := &chunkSink{out: j.out, stop: stop}
	var err error
	switch j.kind {
	case jobStdin:
		defer close(j.done)
		if j.after != nil {
			select {
			case <-j.after:
			case <-stop:
				return
			}
		}
		in := s.opts.Stdin
		if in == nil {
			in = os.Stdin
		}
		err = decodeStream(in, StdinName, s.opts.Format, cs)
	default:
		err = decodeFile(j.name, s.opts.Format, cs)
	}
	if err == errStopped {
		return
	}
	cs.c.last, cs.c.err = true, err
	cs.send()
}

func decodeFile(path string, format Format, out sink) error {
	f, err := os.Open(path)
	if err != nil {
		return &Error{File: path, Offset: -1, Msg: "failed to open", Kind: ErrRead, Err: unwrapPath(err)}
	}
	defer f.Close()
	return decodeStream(f, path, format, out)
}

var _ sink = (*chunkSink)(nil)
var _ sink = (*directSink)(nil)
