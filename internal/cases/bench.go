package cases

import (
	"time"

	"github.com/keytrail/keytrail/policy"
)

// BenchStat is the throughput of one benchmark mode.
type BenchStat struct {
	Decisions          int     `json:"decisions"`
	Seconds            float64 `json:"seconds"`
	DecisionsPerSecond float64 `json:"decisionsPerSecond"`
}

// BenchResult compares two ways of deciding the same cases: with policies compiled once
// ("compiled": what a long-running user of the library sees), and building every case from
// its file each time ("full": read, parse and evaluate, the work a one-shot peer does).
type BenchResult struct {
	Cases    int       `json:"cases"`
	Compiled BenchStat `json:"compiled"`
	Full     BenchStat `json:"full"`
}

// Bench runs the cases that build (expectError cases are left out) for about d in each mode,
// after two warm-up passes.
func Bench(cs []*Case, d time.Duration) BenchResult {
	type built struct {
		set *policy.Set
		req *policy.Request
	}
	var runnable []*Case
	var compiled []built
	for _, c := range cs {
		if c.ExpectError {
			continue
		}
		set, req, err := c.Build()
		if err != nil {
			continue
		}
		runnable = append(runnable, c)
		compiled = append(compiled, built{set, req})
	}
	res := BenchResult{Cases: len(runnable)}
	if len(runnable) == 0 {
		return res
	}
	measure := func(pass func()) BenchStat {
		pass()
		pass()
		var st BenchStat
		start := time.Now()
		for time.Since(start) < d {
			pass()
			st.Decisions += len(runnable)
		}
		st.Seconds = time.Since(start).Seconds()
		st.DecisionsPerSecond = float64(st.Decisions) / st.Seconds
		return st
	}
	res.Compiled = measure(func() {
		for _, b := range compiled {
			b.set.Evaluate(b.req)
		}
	})
	res.Full = measure(func() {
		for _, c := range runnable {
			if set, req, err := c.Build(); err == nil {
				set.Evaluate(req)
			}
		}
	})
	return res
}
