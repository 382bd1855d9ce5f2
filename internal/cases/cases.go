// Package cases reads evaluator case files (the fixture format of DESIGN.md) and runs them
// through policy.Evaluate. keytrail eval, keytrail test and the Go tests share it.
package cases

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/keytrail/keytrail/policy"
)

// Case is one evaluator case.
type Case struct {
	ID                 string              `json:"id"`
	Principal          string              `json:"principal"`
	Action             string              `json:"action"`
	Resource           string              `json:"resource"`
	ResourceAccount    string              `json:"resourceAccount"`
	Time               string              `json:"time"`
	Context            map[string]any      `json:"context"`
	KeyPolicy          json.RawMessage     `json:"keyPolicy"`
	ResourcePolicy     json.RawMessage     `json:"resourcePolicy"`
	IdentityPolicies   []json.RawMessage   `json:"identityPolicies"`
	SCPs               [][]json.RawMessage `json:"scps"`
	RCPs               [][]json.RawMessage `json:"rcps"`
	PermissionBoundary json.RawMessage     `json:"permissionBoundary"`
	SessionPolicy      json.RawMessage     `json:"sessionPolicy"`
	VPCEndpointPolicy  json.RawMessage     `json:"vpcEndpointPolicy"`
	Grants             json.RawMessage     `json:"grants"`
	Expect             string              `json:"expect"`
	ExpectError        bool                `json:"expectError"`

	File  string `json:"-"` // the case file
	Index int    `json:"-"` // 0-based position in the file
}

// Load reads a case file: a JSON array of cases or an object with "cases".
func Load(path string) ([]*Case, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read case file: %w", err)
	}
	cs, err := Decode(path, data)
	if err != nil {
		return nil, err
	}
	return cs, nil
}

// IsCaseFile reports whether JSON text looks like a case file (an array of objects with an
// "action", or an object with "cases"), so that directory walks can skip other JSON.
func IsCaseFile(data []byte) bool {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return false
	}
	if data[0] == '{' {
		var probe struct {
			Cases json.RawMessage `json:"cases"`
		}
		return json.Unmarshal(data, &probe) == nil && len(probe.Cases) > 0
	}
	var arr []map[string]json.RawMessage
	if json.Unmarshal(data, &arr) != nil || len(arr) == 0 {
		return false
	}
	for k := range arr[0] { // field names match case-insensitively, as Decode reads them
		if strings.EqualFold(k, "action") || strings.EqualFold(k, "principal") {
			return true
		}
	}
	return false
}

// Decode parses case-file text; path names it and anchors relative policy paths.
func Decode(path string, data []byte) ([]*Case, error) {
	trimmed := bytes.TrimSpace(data)
	var cs []*Case
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var f struct {
			Cases []*Case `json:"cases"`
		}
		if err := unmarshal(trimmed, &f); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if f.Cases == nil {
			return nil, fmt.Errorf("%s: expected a JSON array of cases or an object with \"cases\"", path)
		}
		cs = f.Cases
	} else if err := unmarshal(trimmed, &cs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	seen := map[string]int{}
	for i, c := range cs {
		if c == nil {
			return nil, fmt.Errorf("%s: case %d is null", path, i)
		}
		c.File, c.Index = path, i
		if c.ID == "" {
			c.ID = fmt.Sprintf("%s#%d", filepath.Base(path), i)
		}
		if j, dup := seen[c.ID]; dup {
			return nil, fmt.Errorf("%s: cases %d and %d share the id %q", path, j, i, c.ID)
		}
		seen[c.ID] = i
	}
	return cs, nil
}

// unmarshal decodes case-file JSON, keeping numbers as their literal text (a context value
// 123456789012 stays "123456789012"), and positions syntax errors.
func unmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = fmt.Errorf("unexpected data after the top-level value")
	}
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(data, int(se.Offset))
			return fmt.Errorf("%d:%d: invalid JSON: %w", line, col, err)
		}
		return fmt.Errorf("invalid case file: %w", err)
	}
	return nil
}

func lineCol(data []byte, off int) (int, int) {
	if off > len(data) {
		off = len(data)
	}
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

// Build turns the case into a policy set and a request. Any error is an invalid input.
func (c *Case) Build() (*policy.Set, *policy.Request, error) {
	if c.Principal == "" || c.Action == "" || c.Resource == "" {
		return nil, nil, fmt.Errorf("case %q needs principal, action and resource", c.ID)
	}
	p, err := policy.ParsePrincipal(c.Principal)
	if err != nil {
		return nil, nil, err
	}
	req := &policy.Request{Principal: p, Action: c.Action, Resource: c.Resource, ResourceAccount: c.ResourceAccount}
	if c.Time != "" {
		t, err := time.Parse(time.RFC3339, c.Time)
		if err != nil {
			return nil, nil, fmt.Errorf("case %q: invalid time %q: expected RFC 3339", c.ID, c.Time)
		}
		req.Time = t
	}
	seen := map[string]string{}
	for k, v := range c.Context {
		if prev, dup := seen[strings.ToLower(k)]; dup {
			return nil, nil, fmt.Errorf("case %q: context keys %q and %q are the same key (key names are case-insensitive)", c.ID, prev, k)
		}
		seen[strings.ToLower(k)] = k
		vals, err := contextValues(v)
		if err != nil {
			return nil, nil, fmt.Errorf("case %q: context key %q: %w", c.ID, k, err)
		}
		req.Context.Set(k, vals...)
	}
	set := &policy.Set{}
	load := func(raw json.RawMessage, kind policy.Kind, label string) (*policy.Policy, error) {
		return c.policy(raw, kind, label)
	}
	rp := c.KeyPolicy
	label := "keyPolicy"
	if isAbsent(rp) {
		rp, label = c.ResourcePolicy, "resourcePolicy"
	} else if !isAbsent(c.ResourcePolicy) {
		return nil, nil, fmt.Errorf("case %q has both keyPolicy and resourcePolicy (they are the same slot)", c.ID)
	}
	if set.Resource, err = load(rp, policy.Resource, label); err != nil {
		return nil, nil, err
	}
	for i, raw := range c.IdentityPolicies {
		p, err := load(raw, policy.Identity, fmt.Sprintf("identityPolicies[%d]", i))
		if err != nil {
			return nil, nil, err
		}
		if p != nil {
			set.Identity = append(set.Identity, p)
		}
	}
	if set.Boundary, err = load(c.PermissionBoundary, policy.Identity, "permissionBoundary"); err != nil {
		return nil, nil, err
	}
	if set.Session, err = load(c.SessionPolicy, policy.Identity, "sessionPolicy"); err != nil {
		return nil, nil, err
	}
	if set.Endpoint, err = load(c.VPCEndpointPolicy, policy.Endpoint, "vpcEndpointPolicy"); err != nil {
		return nil, nil, err
	}
	levels := func(in [][]json.RawMessage, kind policy.Kind, name string) ([][]*policy.Policy, error) {
		var out [][]*policy.Policy
		for i, lvl := range in {
			var ps []*policy.Policy
			for j, raw := range lvl {
				p, err := load(raw, kind, fmt.Sprintf("%s[%d][%d]", name, i, j))
				if err != nil {
					return nil, err
				}
				if p != nil {
					ps = append(ps, p)
				}
			}
			out = append(out, ps)
		}
		return out, nil
	}
	if set.SCPs, err = levels(c.SCPs, policy.SCP, "scps"); err != nil {
		return nil, nil, err
	}
	if set.RCPs, err = levels(c.RCPs, policy.RCP, "rcps"); err != nil {
		return nil, nil, err
	}
	if !isAbsent(c.Grants) {
		data, name, err := c.text(c.Grants, "grants")
		if err != nil {
			return nil, nil, err
		}
		if set.Grants, err = policy.ParseGrants(name, data); err != nil {
			return nil, nil, err
		}
	}
	if err := set.Validate(); err != nil {
		return nil, nil, err
	}
	return set, req, nil
}

func isAbsent(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// text resolves a policy slot to JSON text: an object as written, a string of policy text,
// or a string path ending in .json relative to the case file.
func (c *Case) text(raw json.RawMessage, label string) ([]byte, string, error) {
	name := fmt.Sprintf("%s[%s].%s", filepath.Base(c.File), c.ID, label)
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '"' {
		return t, name, nil
	}
	var s string
	if err := json.Unmarshal(t, &s); err != nil {
		return nil, name, fmt.Errorf("%s: %w", name, err)
	}
	if trimmed := strings.TrimSpace(s); strings.HasSuffix(trimmed, ".json") && !strings.HasPrefix(trimmed, "{") {
		path := filepath.Join(filepath.Dir(c.File), trimmed)
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, path, fmt.Errorf("case %q: failed to read %s: %w", c.ID, label, err)
		}
		return data, path, nil
	}
	return []byte(s), name, nil
}

func (c *Case) policy(raw json.RawMessage, kind policy.Kind, label string) (*policy.Policy, error) {
	if isAbsent(raw) {
		return nil, nil
	}
	data, name, err := c.text(raw, label)
	if err != nil {
		return nil, err
	}
	if kind == policy.Resource {
		return policy.ParseResource(name, policy.ResourceKind(c.Resource), data)
	}
	return policy.Parse(name, kind, data)
}

func contextValues(v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case json.Number:
		return []string{x.String()}, nil
	case bool:
		return []string{fmt.Sprint(x)}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			vs, err := contextValues(e)
			if err != nil || len(vs) != 1 {
				return nil, fmt.Errorf("values of a multivalued key must be strings")
			}
			out = append(out, vs[0])
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected a string or an array of strings")
}

// Result is the outcome of running one case.
type Result struct {
	Case        *Case
	Explanation *policy.Explanation // nil when Err is set
	Err         error
}

// Run builds and evaluates the case.
func (c *Case) Run() Result {
	set, req, err := c.Build()
	if err != nil {
		return Result{Case: c, Err: err}
	}
	return Result{Case: c, Explanation: set.Explain(req)}
}

// Check compares a result with the case's expectation. ok is false on a mismatch, and why
// says what differed; a case with no expectation fails (a misspelt "expect" must not pass).
func (r Result) Check() (ok bool, why string) {
	c := r.Case
	switch {
	case c.ExpectError && r.Err == nil:
		return false, fmt.Sprintf("expected an error, got %s", r.Explanation.Decision.Outcome)
	case c.ExpectError:
		return true, ""
	case r.Err != nil:
		return false, "error: " + r.Err.Error()
	case c.Expect == "":
		return false, "the case has no expectation: give \"expect\" or \"expectError\""
	}
	want, err := policy.ParseOutcome(c.Expect)
	if err != nil {
		return false, err.Error()
	}
	if got := r.Explanation.Decision.Outcome; got != want {
		return false, fmt.Sprintf("expected %s, got %s: %s", want, got, r.Explanation.Summary)
	}
	return true, ""
}
