package trail

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/keytrail/keytrail/policy"
)

// Op is a query condition's operator.
type Op int

// The condition operators.
const (
	OpEq     Op = iota // path=value
	OpNe               // path!=value
	OpGlob             // path~glob
	OpExists           // path?
)

// Cond is one query condition: a gjson path, an operator and a value.
type Cond struct {
	Path  string
	Op    Op
	Value string
	str   bool // value was double-quoted: compare as a string only
}

// Query is a conjunction of conditions, matched against Record.Raw.
type Query struct {
	Conds []Cond
}

// ParseQuery parses conditions joined by " AND ". Each condition is
//
//	path=value    equal; numbers and booleans compare by value ("true" matches true)
//	path!=value   not equal (also true when path is absent)
//	path~glob     the value as a string matches glob (* any run, ? one character)
//	path?         path exists and is not null
//
// path is a gjson path. A value in double quotes compares as a string only.
func ParseQuery(expr string) (*Query, error) {
	q := &Query{}
	for _, part := range strings.Split(expr, " AND ") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("empty condition in %q", expr)
		}
		c, err := parseCond(part)
		if err != nil {
			return nil, err
		}
		q.Conds = append(q.Conds, c)
	}
	return q, nil
}

func parseCond(s string) (Cond, error) {
	bad := fmt.Errorf("condition %q: expected path=value, path!=value, path~glob or path?", s)
	i, op, n := findOp(s)
	if i < 0 {
		if strings.HasSuffix(s, "?") && len(s) > 1 {
			return Cond{Path: s[:len(s)-1], Op: OpExists}, nil
		}
		return Cond{}, bad
	}
	c := Cond{Path: strings.TrimSpace(s[:i]), Op: op, Value: s[i+n:]}
	if c.Path == "" {
		return Cond{}, bad
	}
	if len(c.Value) >= 2 && c.Value[0] == '"' && c.Value[len(c.Value)-1] == '"' {
		c.Value, c.str = c.Value[1:len(c.Value)-1], true
	}
	return c, nil
}

// findOp finds the first operator outside gjson's parentheses and quotes:
// its index, kind and length, or -1.
func findOp(s string) (int, Op, int) {
	depth := 0
	quoted := false
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '\\':
			i++
		case ch == '"':
			quoted = !quoted
		case quoted:
		case ch == '(':
			depth++
		case ch == ')':
			depth--
		case depth > 0:
		case ch == '!' && i+1 < len(s) && s[i+1] == '=':
			return i, OpNe, 2
		case ch == '=':
			return i, OpEq, 1
		case ch == '~':
			return i, OpGlob, 1
		}
	}
	return -1, 0, 0
}

// Match reports whether every condition holds for r.
func (q *Query) Match(r Record) bool {
	for _, c := range q.Conds {
		if !c.Match(gjson.GetBytes(r.Raw, c.Path)) {
			return false
		}
	}
	return true
}

// Match reports whether the condition holds for the value v found at its path.
func (c Cond) Match(v gjson.Result) bool {
	switch c.Op {
	case OpExists:
		return v.Exists() && v.Type != gjson.Null
	case OpEq:
		return c.equal(v)
	case OpNe:
		return !c.equal(v)
	case OpGlob:
		return v.Exists() && v.Type != gjson.Null && policy.Glob(c.Value, v.String())
	}
	return false
}

func (c Cond) equal(v gjson.Result) bool {
	if !v.Exists() {
		return false
	}
	if c.str {
		return v.Type == gjson.String && v.Str == c.Value
	}
	switch v.Type {
	case gjson.String:
		return v.Str == c.Value
	case gjson.Number:
		f, err := strconv.ParseFloat(c.Value, 64)
		return err == nil && f == v.Num
	case gjson.True:
		return c.Value == "true"
	case gjson.False:
		return c.Value == "false"
	case gjson.Null:
		return c.Value == "null"
	}
	return v.Raw == c.Value
}
