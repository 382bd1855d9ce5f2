package policy

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/keytrail/keytrail/policy/internal/jsontree"
)

// family is a condition operator family.
type family uint8

const (
	famString family = iota
	famStringIgnoreCase
	famStringLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famARN
	famNull
)

// cmp is the comparison of Numeric and Date operators.
type cmp uint8

const (
	cmpEq cmp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

type setQual uint8

const (
	setNone setQual = iota
	setAnyValue
	setAllValues
)

type opInfo struct {
	fam     family
	cmp     cmp
	negated bool
}

// operators lists the IAM condition operators (without IfExists and set qualifiers).
var operators = map[string]opInfo{
	"StringEquals":              {fam: famString},
	"StringNotEquals":           {fam: famString, negated: true},
	"StringEqualsIgnoreCase":    {fam: famStringIgnoreCase},
	"StringNotEqualsIgnoreCase": {fam: famStringIgnoreCase, negated: true},
	"StringLike":                {fam: famStringLike},
	"StringNotLike":             {fam: famStringLike, negated: true},
	"NumericEquals":             {fam: famNumeric},
	"NumericNotEquals":          {fam: famNumeric, negated: true},
	"NumericLessThan":           {fam: famNumeric, cmp: cmpLt},
	"NumericLessThanEquals":     {fam: famNumeric, cmp: cmpLe},
	"NumericGreaterThan":        {fam: famNumeric, cmp: cmpGt},
	"NumericGreaterThanEquals":  {fam: famNumeric, cmp: cmpGe},
	"DateEquals":                {fam: famDate},
	"DateNotEquals":             {fam: famDate, negated: true},
	"DateLessThan":              {fam: famDate, cmp: cmpLt},
	"DateLessThanEquals":        {fam: famDate, cmp: cmpLe},
	"DateGreaterThan":           {fam: famDate, cmp: cmpGt},
	"DateGreaterThanEquals":     {fam: famDate, cmp: cmpGe},
	"Bool":                      {fam: famBool},
	"BinaryEquals":              {fam: famBinary},
	"IpAddress":                 {fam: famIP},
	"NotIpAddress":              {fam: famIP, negated: true},
	"ArnEquals":                 {fam: famARN},
	"ArnLike":                   {fam: famARN},
	"ArnNotEquals":              {fam: famARN, negated: true},
	"ArnNotLike":                {fam: famARN, negated: true},
	"Null":                      {fam: famNull},
}

// condition is one (operator, key) test with its values.
type condition struct {
	op       string // as written, e.g. "ForAnyValue:StringLike"
	info     opInfo
	ifExists bool
	set      setQual
	key      string // as written
	keyLower string
	values   []condValue
	pos      Position // of the key
}

// familyValue says what values an operator family takes, for errors.
var familyValue = map[family]string{
	famNumeric: "an integer or decimal number (policy variables are not allowed here)",
	famDate:    "an ISO 8601 date (2026-11-29, 2026-11-29T12:00:00Z) or epoch seconds (policy variables are not allowed here)",
	famBool:    "true or false",
	famNull:    "true or false",
	famBinary:  "base64 text",
	famIP:      "an IPv4 or IPv6 address or CIDR block such as 203.0.113.0/24",
}

// condValue is one policy value, parsed once for its operator family. Values that do not
// parse are rejected when the policy is parsed.
type condValue struct {
	pat    pattern // the text, with its variables (String and Arn families only)
	num    float64
	t      time.Time
	prefix netip.Prefix
	bin    []byte
	b      bool
}

// parseOperator splits "ForAnyValue:StringLikeIfExists" into its parts.
func parseOperator(name string) (info opInfo, set setQual, ifExists bool, err error) {
	base := name
	switch {
	case strings.HasPrefix(base, "ForAnyValue:"):
		set, base = setAnyValue, strings.TrimPrefix(base, "ForAnyValue:")
	case strings.HasPrefix(base, "ForAllValues:"):
		set, base = setAllValues, strings.TrimPrefix(base, "ForAllValues:")
	}
	if strings.HasSuffix(base, "IfExists") {
		ifExists, base = true, strings.TrimSuffix(base, "IfExists")
	}
	info, ok := operators[base]
	switch {
	case !ok:
		hint := ""
		for k := range operators {
			if strings.EqualFold(k, base) {
				hint = fmt.Sprintf(" (did you mean %q? operator names are case-sensitive)", k)
			}
		}
		return info, set, ifExists, fmt.Errorf("unknown condition operator %q%s", name, hint)
	case info.fam == famNull && ifExists:
		return info, set, ifExists, fmt.Errorf("invalid condition operator %q: IfExists cannot be used with Null", name)
	case info.fam == famNull && set != setNone:
		return info, set, ifExists, fmt.Errorf("invalid condition operator %q: Null takes no set qualifier", name)
	}
	return info, set, ifExists, nil
}

func (c *compiler) conditions(n *jsontree.Node) ([]*condition, error) {
	if n.Kind != jsontree.Object {
		return nil, c.errAt(n.Pos, "Condition must be an object, not %s", article(n.Kind))
	}
	var out []*condition
	seenOp := map[string]bool{}
	for _, om := range n.Members {
		if seenOp[om.Key] {
			return nil, c.errAt(om.KeyPos, "duplicate condition operator %q", om.Key)
		}
		seenOp[om.Key] = true
		info, set, ifExists, err := parseOperator(om.Key)
		if err != nil {
			return nil, c.errAt(om.KeyPos, "%v", err)
		}
		if om.Value.Kind != jsontree.Object {
			return nil, c.errAt(om.Value.Pos, "the value of %s must be an object of condition keys, not %s", om.Key, article(om.Value.Kind))
		}
		if len(om.Value.Members) == 0 {
			return nil, c.errAt(om.Value.Pos, "%s has no condition keys", om.Key)
		}
		seenKey := map[string]string{}
		for _, km := range om.Value.Members {
			lower := strings.ToLower(km.Key)
			if prev, dup := seenKey[lower]; dup {
				return nil, c.errAt(km.KeyPos, "duplicate condition key %q in %s (same as %q: condition keys are case-insensitive)", km.Key, om.Key, prev)
			}
			seenKey[lower] = km.Key
			if !validConditionKey(km.Key) {
				return nil, c.errAt(km.KeyPos, "invalid condition key %q: expected service:name", km.Key)
			}
			if set == setAllValues && c.p.Kind == Key && (strings.HasPrefix(lower, ecPrefix) || strings.HasPrefix(lower, "aws:requesttag/")) {
				return nil, c.errAt(km.KeyPos, "%s with %s is rejected by KMS (OverlyPermissiveCondition): it matches requests that carry no such key; use a single-valued operator", om.Key, km.Key)
			}
			cond := &condition{op: om.Key, info: info, set: set, ifExists: ifExists, key: km.Key, keyLower: lower, pos: Position(km.KeyPos)}
			var vals []*jsontree.Node
			switch km.Value.Kind {
			case jsontree.Array:
				vals = km.Value.Elems
				if len(vals) == 0 {
					return nil, c.errAt(km.Value.Pos, "condition key %q has an empty array of values", km.Key)
				}
			default:
				vals = []*jsontree.Node{km.Value}
			}
			for _, v := range vals {
				cv, err := c.condValue(cond, v)
				if err != nil {
					return nil, err
				}
				cond.values = append(cond.values, cv)
			}
			out = append(out, cond)
		}
	}
	return out, nil
}

func validConditionKey(k string) bool {
	svc, name, ok := strings.Cut(k, ":")
	return ok && svc != "" && name != "" && !strings.ContainsAny(k, " \t\n")
}

func (c *compiler) condValue(cond *condition, v *jsontree.Node) (condValue, error) {
	var text string
	switch v.Kind {
	case jsontree.String, jsontree.Number:
		text = v.Str
	case jsontree.Bool:
		text = strconv.FormatBool(v.Bool)
	default:
		return condValue{}, c.errAt(v.Pos, "condition values must be strings, numbers or booleans, not %s", article(v.Kind))
	}
	cv := condValue{pat: pattern{text: text}}
	switch cond.info.fam {
	case famString, famStringIgnoreCase, famStringLike, famARN:
		p, err := c.pattern(v)
		if err != nil {
			return condValue{}, err
		}
		p.text = text
		cv.pat = p
	default:
		if !cv.parse(cond.info.fam, text) {
			return condValue{}, c.errAt(v.Pos, "invalid value %q for %s %s: expected %s", text, cond.op, cond.key, familyValue[cond.info.fam])
		}
	}
	return cv, nil
}

// parse reads a policy value for a non-string family; ok is false when it does not parse
// (such a value never matches; lint reports it).
func (cv *condValue) parse(fam family, text string) bool {
	switch fam {
	case famNumeric:
		f, ok := parseNumber(text)
		cv.num = f
		return ok
	case famDate:
		t, ok := parseDate(text)
		cv.t = t
		return ok
	case famBool, famNull:
		b, ok := parseBool(text)
		cv.b = b
		return ok
	case famBinary:
		b, err := base64.StdEncoding.DecodeString(text)
		cv.bin = b
		return err == nil
	case famIP:
		p, ok := parseCIDR(text)
		cv.prefix = p
		return ok
	}
	return false
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

func parseCIDR(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// dateLayouts are the W3C profile of ISO 8601 that IAM documents, most common first.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006-01",
	"2006",
	"20060102T150405Z",
}

// parseDate reads an ISO 8601 date (W3C profile) or epoch seconds.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if isDigits(s) && len(s) != 4 {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	if f, ok := parseNumber(s); ok && strings.Count(s, "-") == 0 && strings.Contains(s, ".") {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// condResult is the outcome of one condition: true or false, and whether the key was absent
// from the request (so that supplying it could change the result).
type condResult uint8

const (
	condFalse  condResult = 0
	condTrue   condResult = 1
	condAbsent condResult = 2 // flag
)

// eval evaluates the condition with AWS's semantics for absent keys: negated operators,
// ...IfExists and ForAllValues are true, the others false, Null tests presence. It never
// allocates unless a value holds policy variables.
func (c *condition) eval(e *env) condResult {
	vals := e.get(c.keyLower)
	n := vals.len()
	if c.info.fam == famNull {
		// Null: "true" means the key is absent, "false" that it is present.
		res := condFalse
		for i := range c.values {
			if c.values[i].b == (n == 0) {
				res = condTrue
			}
		}
		if n == 0 {
			res |= condAbsent
		}
		return res
	}
	if n == 0 {
		if c.ifExists || c.set == setAllValues || c.set == setNone && c.info.negated {
			return condTrue | condAbsent
		}
		return condFalse | condAbsent
	}
	switch c.set {
	case setAnyValue:
		for i := 0; i < n; i++ {
			if c.matchAny(e, vals.at(i)) != c.info.negated {
				return condTrue
			}
		}
		return condFalse
	case setAllValues:
		for i := 0; i < n; i++ {
			if c.matchAny(e, vals.at(i)) == c.info.negated {
				return condFalse
			}
		}
		return condTrue
	}
	// No qualifier: positive operators match when some request value matches some policy
	// value; negated operators when no request value matches any policy value.
	for i := 0; i < n; i++ {
		if c.matchAny(e, vals.at(i)) {
			return boolResult(!c.info.negated)
		}
	}
	return boolResult(c.info.negated)
}

func boolResult(b bool) condResult {
	if b {
		return condTrue
	}
	return condFalse
}

// matchAny reports whether the request value matches at least one policy value under the
// positive form of the operator.
func (c *condition) matchAny(e *env, v string) bool {
	for i := range c.values {
		if c.matchOne(e, &c.values[i], v) {
			return true
		}
	}
	return false
}

func (c *condition) matchOne(e *env, cv *condValue, v string) bool {
	switch c.info.fam {
	case famString, famStringIgnoreCase, famStringLike, famARN:
		isGlob := c.info.fam == famStringLike || c.info.fam == famARN
		pat, ok, _ := cv.pat.expand(e, isGlob)
		if !ok {
			return false
		}
		escaped := cv.pat.tmpl != nil
		switch c.info.fam {
		case famString:
			return v == pat
		case famStringIgnoreCase:
			return strings.EqualFold(v, pat)
		case famStringLike:
			return glob(pat, v, false, escaped)
		default:
			return matchARN(pat, v, escaped, false)
		}
	case famNumeric:
		f, ok := parseNumber(v)
		return ok && compare(cmpFloat(f, cv.num), c.info.cmp)
	case famDate:
		t, ok := parseDate(v)
		return ok && compare(t.Compare(cv.t), c.info.cmp)
	case famBool:
		b, ok := parseBool(v)
		return ok && b == cv.b
	case famBinary:
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return v == cv.pat.text
		}
		return bytes.Equal(b, cv.bin)
	case famIP:
		a, err := netip.ParseAddr(strings.TrimSpace(v))
		if err != nil {
			return false
		}
		if a.Is4In6() && cv.prefix.Addr().Is4() {
			a = a.Unmap()
		}
		return cv.prefix.Contains(a)
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compare(c int, op cmp) bool {
	switch op {
	case cmpLt:
		return c < 0
	case cmpLe:
		return c <= 0
	case cmpGt:
		return c > 0
	case cmpGe:
		return c >= 0
	}
	return c == 0
}
