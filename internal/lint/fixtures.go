package lint

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/keytrail/keytrail/policy"
	"github.com/keytrail/keytrail/rules"
)

// A lint fixture is a policy file NAME.json with NAME.expected.json beside it, in the
// directory fixtures/lint/TYPE/ (TYPE: key, bucket, identity or scp). The expected file is
// what `keytrail lint -o json` prints; findings are compared on id, severity, statement, line
// and column (messages may be reworded).

// ExpectedSuffix marks the expected-findings file of a fixture.
const ExpectedSuffix = ".expected.json"

// IsFixture reports whether path is a fixture's expected file.
func IsFixture(path string) bool { return strings.HasSuffix(path, ExpectedSuffix) }

// FixturePolicy returns the policy file of an expected file.
func FixturePolicy(expected string) string {
	return strings.TrimSuffix(expected, ExpectedSuffix) + ".json"
}

// Fixtures runs lint fixtures, with one Linter per policy type.
type Fixtures struct {
	mu      sync.Mutex
	linters map[policy.LintType]*Linter
}

type findingKey struct {
	ID, Severity string
	Statement    any
	Line, Col    int
}

func keyOf(f rules.Finding) findingKey {
	st := f.Statement
	if n, ok := st.(float64); ok {
		st = int(n)
	}
	return findingKey{f.ID, f.Severity, st, f.Line, f.Col}
}

// Run lints the fixture's policy and compares the findings with the expected file.
func (fx *Fixtures) Run(ctx context.Context, expected string) (ok bool, why string, err error) {
	typ, err := policy.ParseLintType(filepath.Base(filepath.Dir(expected)))
	if err != nil {
		return false, "", fmt.Errorf("%s: a lint fixture lives in a directory named key, bucket, identity or scp: %w", expected, err)
	}
	fx.mu.Lock()
	if fx.linters == nil {
		fx.linters = map[policy.LintType]*Linter{}
	}
	l := fx.linters[typ]
	if l == nil {
		if l, err = New(ctx, Options{Type: typ}); err != nil {
			fx.mu.Unlock()
			return false, "", err
		}
		fx.linters[typ] = l
	}
	fx.mu.Unlock()
	want, err := readExpected(expected)
	if err != nil {
		return false, "", err
	}
	pfile := FixturePolicy(expected)
	data, err := os.ReadFile(pfile)
	if err != nil {
		return false, "", fmt.Errorf("failed to read lint fixture: %w", err)
	}
	got, err := l.Lint(ctx, filepath.Base(pfile), data)
	if err != nil {
		return false, "", err
	}
	return compare(got, want)
}

func readExpected(path string) ([]rules.Finding, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read lint fixture: %w", err)
	}
	var fs []rules.Finding
	if err := json.Unmarshal(data, &fs); err != nil {
		return nil, fmt.Errorf("%s: expected a JSON array of findings: %w", path, err)
	}
	return fs, nil
}

func compare(got, want []rules.Finding) (bool, string, error) {
	count := map[findingKey]int{}
	for _, f := range want {
		count[keyOf(f)]++
	}
	var missing, extra []string
	for _, f := range got {
		k := keyOf(f)
		if count[k] > 0 {
			count[k]--
			continue
		}
		extra = append(extra, fmt.Sprintf("%s %s at %d:%d statement %v", k.ID, k.Severity, k.Line, k.Col, k.Statement))
	}
	for _, f := range want {
		k := keyOf(f)
		if count[k] > 0 {
			count[k]--
			missing = append(missing, fmt.Sprintf("%s %s at %d:%d statement %v", k.ID, k.Severity, k.Line, k.Col, k.Statement))
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return true, "", nil
	}
	var why []string
	if len(missing) > 0 {
		why = append(why, "missing: "+strings.Join(missing, "; "))
	}
	if len(extra) > 0 {
		why = append(why, "unexpected: "+strings.Join(extra, "; "))
	}
	return false, strings.Join(why, " | "), nil
}
