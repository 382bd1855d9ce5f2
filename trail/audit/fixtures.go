package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/keytrail/keytrail/rules"
	"github.com/keytrail/keytrail/trail"
)

// A trail fixture is a trail file NAME.json (any form keytrail trail reads) with
// NAME.audit.json beside it: {"data": {...}, "findings": [{id, severity, eventID, resolved,
// count}]}. data is what --data would give (optional). It passes when the audit's findings
// equal the expected ones on those fields, in any order.

// FixtureSuffix marks a trail fixture's expected file.
const FixtureSuffix = ".audit.json"

// IsFixture reports whether path is a trail fixture's expected file.
func IsFixture(path string) bool { return strings.HasSuffix(path, FixtureSuffix) }

// FixtureTrail returns the trail file of an expected file.
func FixtureTrail(expected string) string {
	return strings.TrimSuffix(expected, FixtureSuffix) + ".json"
}

// Expected is the content of a fixture's expected file.
type Expected struct {
	Data     map[string]any    `json:"data,omitempty"`
	Findings []ExpectedFinding `json:"findings"`
}

// ExpectedFinding is what a fixture compares of a finding.
type ExpectedFinding struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	EventID  string `json:"eventID"`
	Resolved bool   `json:"resolved"`
	Count    int    `json:"count"`
}

func (f ExpectedFinding) String() string {
	s := fmt.Sprintf("%s %s on %s", f.ID, f.Severity, f.EventID)
	if f.Resolved {
		s += " (resolved)"
	}
	if f.Count > 0 {
		s += fmt.Sprintf(" (count %d)", f.Count)
	}
	return s
}

// RunFixture audits the fixture's trail file and compares the findings.
func RunFixture(ctx context.Context, expected string) (ok bool, why string, err error) {
	b, err := os.ReadFile(expected)
	if err != nil {
		return false, "", fmt.Errorf("failed to read fixture: %w", err)
	}
	var want Expected
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&want); err != nil {
		return false, "", fmt.Errorf("%s: expected {\"data\"?: {...}, \"findings\": [{id, severity, eventID, resolved, count}]}: %w", expected, err)
	}
	if want.Data != nil {
		if err := checkData(expected, want.Data); err != nil {
			return false, "", err
		}
	}
	au, err := New(ctx, Options{Config: want.Data})
	if err != nil {
		return false, "", err
	}
	if _, err := trail.ReadPaths([]string{FixtureTrail(expected)}, trail.Options{}, au.Add); err != nil {
		return false, "", err
	}
	fs, _, err := au.Close()
	if err != nil {
		return false, "", err
	}
	got := make([]ExpectedFinding, len(fs))
	for i, f := range fs {
		got[i] = Summarize(f)
	}
	return compare(got, want.Findings)
}

// Summarize keeps what a fixture compares of a finding.
func Summarize(f rules.AuditFinding) ExpectedFinding {
	return ExpectedFinding{ID: f.ID, Severity: f.Severity, EventID: f.EventID, Resolved: f.Resolved, Count: f.Count}
}

func compare(got, want []ExpectedFinding) (bool, string, error) {
	count := map[ExpectedFinding]int{}
	for _, f := range want {
		count[f]++
	}
	var extra, missing []string
	for _, f := range got {
		if count[f] > 0 {
			count[f]--
			continue
		}
		extra = append(extra, f.String())
	}
	for f, n := range count {
		for range n {
			missing = append(missing, f.String())
		}
	}
	if len(extra) == 0 && len(missing) == 0 {
		return true, "", nil
	}
	sort.Strings(extra)
	sort.Strings(missing)
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "missing: "+strings.Join(missing, "; "))
	}
	if len(extra) > 0 {
		parts = append(parts, "unexpected: "+strings.Join(extra, "; "))
	}
	return false, strings.Join(parts, "; "), nil
}
