package trail

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
)

// A summary fixture is a trail file NAME.json with NAME.summary.json beside it: the summary
// as `keytrail trail summary -o json` prints it (by key). It passes when the summary of the
// trail file is equal, member by member.

// SummarySuffix marks a summary fixture's expected file.
const SummarySuffix = ".summary.json"

// IsSummaryFixture reports whether path is a summary fixture's expected file.
func IsSummaryFixture(path string) bool { return strings.HasSuffix(path, SummarySuffix) }

// SummaryFixtureTrail returns the trail file of an expected file.
func SummaryFixtureTrail(expected string) string {
	return strings.TrimSuffix(expected, SummarySuffix) + ".json"
}

// RunSummaryFixture summarizes the fixture's trail file and compares it with the expected file.
func RunSummaryFixture(expected string) (ok bool, why string, err error) {
	b, err := os.ReadFile(expected)
	if err != nil {
		return false, "", fmt.Errorf("failed to read fixture: %w", err)
	}
	var want any
	if err := json.Unmarshal(b, &want); err != nil {
		return false, "", fmt.Errorf("%s: not JSON: %w", expected, err)
	}
	by := ByKey
	if m, ok := want.(map[string]any); ok {
		if s, ok := m["by"].(string); ok {
			by = Dim(s)
		}
	}
	sum := NewSummary()
	if _, err := ReadPaths([]string{SummaryFixtureTrail(expected)}, Options{}, func(r Record) error {
		sum.Add(r)
		return nil
	}); err != nil {
		return false, "", err
	}
	gb, err := json.Marshal(sum.Report(by))
	if err != nil {
		return false, "", err
	}
	var got any
	if err := json.Unmarshal(gb, &got); err != nil {
		return false, "", err
	}
	if d := firstDiff("", got, want); d != "" {
		return false, d, nil
	}
	return true, "", nil
}

// firstDiff describes the first place where got and want differ, or returns "".
func firstDiff(path string, got, want any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %v, want an object", root(path), got)
		}
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if d := firstDiff(path+"."+k, g[k], w[k]); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("%s: got %v, want a list", root(path), got)
		}
		for i := range min(len(g), len(w)) {
			if d := firstDiff(fmt.Sprintf("%s[%d]", path, i), g[i], w[i]); d != "" {
				return d
			}
		}
		if len(g) != len(w) {
			return fmt.Sprintf("%s: got %d entries, want %d", root(path), len(g), len(w))
		}
		return ""
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("%s: got %v, want %v", root(path), got, want)
	}
	return ""
}

func root(path string) string {
	if path == "" {
		return "the summary"
	}
	return strings.TrimPrefix(path, ".")
}
