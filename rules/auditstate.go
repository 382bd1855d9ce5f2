package rules

import (
	"cmp"
	"fmt"
	"sort"
	"time"
)

// Close evaluates the last batch, waits for the workers and settles the stateful sets: window
// counts, resolutions, facts and de-duplication. Findings come sorted by time, reading order
// and id.
func (a *Auditor) Close() ([]AuditFinding, AuditStats, error) {
	if len(a.batch) > 0 {
		a.work <- a.batch
		a.batch = nil
	}
	close(a.work)
	a.wg.Wait()
	if a.err != nil {
		return nil, a.stats, a.err
	}
	st := &a.state
	out := st.windows(a.rules)
	for _, f := range st.findings {
		if f.needs != "" && !st.facts[[2]string{f.ID, f.needs}] {
			continue
		}
		out = append(out, f)
	}
	a.countOnce(out)
	sortAudit(out)
	out = dedupe(out)
	for i := range out {
		f := &out[i]
		if f.resolveKey == "" {
			continue
		}
		at := point{time: f.EventTime, seq: f.seq}
		for _, p := range st.resolves[[2]string{f.ID, f.resolveKey}] {
			if at.before(p) && (!f.Resolved || p.before(point{time: f.resolvedAt, seq: f.resolvedSeq})) {
				f.Resolved, f.ResolvedBy, f.resolvedAt, f.resolvedSeq = true, p.ref.EventID, p.time, p.seq
			}
		}
	}
	return out, a.stats, nil
}

// windows turns each rule's signals into findings: per group, sorted by time, a finding on
// the record that brings the count within the window to the threshold; counting restarts
// after it, so a long burst gives one finding per threshold records.
func (st *auditState) windows(rs []*auditRule) []AuditFinding {
	byID := map[string]*auditRule{}
	for _, r := range rs {
		byID[r.ID] = r
	}
	keys := make([][2]string, 0, len(st.signals))
	for k := range st.signals {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+"\x00"+keys[i][1] < keys[j][0]+"\x00"+keys[j][1] })
	var out []AuditFinding
	for _, k := range keys {
		r := byID[k[0]]
		ps := st.signals[k]
		sort.Slice(ps, func(i, j int) bool { return ps[i].before(ps[j]) })
		start := 0
		for i := range ps {
			for ps[i].time.Sub(ps[start].time) > r.window {
				start++
			}
			if n := i - start + 1; n >= r.threshold {
				p := ps[i]
				out = append(out, AuditFinding{ID: r.ID, Severity: cmp.Or(r.Severity, SeverityWarning), EventTime: p.time, Ref: p.ref, seq: p.seq, Count: n,
					Message: fmt.Sprintf("%s: %d within %s (%s to %s)", cmp.Or(p.message, k[1]), n, r.window, stamp(ps[start].time), stamp(p.time))})
				start = i + 1
			}
		}
	}
	return out
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// dedupe keeps the first of the findings of one rule that share a dedupe value.
func dedupe(fs []AuditFinding) []AuditFinding {
	seen := map[[2]string]bool{}
	out := fs[:0]
	for _, f := range fs {
		if f.dedupe != "" {
			k := [2]string{f.ID, f.dedupe}
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, f)
	}
	return out
}

func sortAudit(fs []AuditFinding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if !a.EventTime.Equal(b.EventTime) {
			return a.EventTime.Before(b.EventTime)
		}
		if a.seq != b.seq {
			return a.seq < b.seq
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Message < b.Message
	})
}

// countOnce gives the findings of once_per rules the number of records of their combination.
func (a *Auditor) countOnce(fs []AuditFinding) {
	index := map[string]int{}
	for r, rule := range a.rules {
		if a.firstOf[r] != nil {
			index[rule.ID] = r
		}
	}
	for i := range fs {
		r, ok := index[fs[i].ID]
		if !ok {
			continue
		}
		if c := a.firstOf[r][fs[i].seq]; c != nil && c.n > 1 && fs[i].Count == 0 {
			fs[i].Count = c.n
			fs[i].Message += fmt.Sprintf(" (%d records like it)", c.n)
		}
	}
}
