package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress draws "files F, records N, R records/s" on stderr every 200 ms while a long read
// runs, when stderr is a terminal; otherwise it does nothing.
type progress struct {
	w       io.Writer
	mu      sync.Mutex
	files   int
	records int
	last    string // file of the previous record
	start   time.Time
	stop    chan struct{}
	wg      sync.WaitGroup
}

func newProgress(w io.Writer) *progress {
	p := &progress{}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.w = w
		}
	}
	if p.w == nil {
		return p
	}
	p.start, p.stop = time.Now(), make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
	return p
}

// record counts one record of file.
func (p *progress) record(file string) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	p.records++
	if file != p.last {
		p.files++
		p.last = file
	}
	p.mu.Unlock()
}

func (p *progress) draw() {
	p.mu.Lock()
	files, n := p.files, p.records
	p.mu.Unlock()
	secs := time.Since(p.start).Seconds()
	fmt.Fprintf(p.w, "\r\x1b[K%d files, %d records, %.0f records/s", files, n, float64(n)/max(secs, 0.001))
}

// done stops drawing and clears the line.
func (p *progress) done() {
	if p.w == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	fmt.Fprint(p.w, "\r\x1b[K")
}
