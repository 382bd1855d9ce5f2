package rules

import (
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// pick returns, per rule, the indexes of the batch's records its selectors pick.
func (a *Auditor) pick(b []Item) [][]int {
	picks := make([][]int, len(a.rules))
	var l lookup
	for i := range b {
		l.reset(&b[i])
		for r, rule := range a.rules {
			if b[i].skip&(1<<r) == 0 && selects(rule.Select, &l) {
				picks[r] = append(picks[r], i)
			}
		}
	}
	return picks
}

// lookup finds a record's selector values on demand, once each.
type lookup struct {
	it   *Item
	vals map[string]gjson.Result
}

func (l *lookup) reset(it *Item) {
	l.it = it
	if l.vals == nil {
		l.vals = map[string]gjson.Result{}
	}
	clear(l.vals)
}

func (l *lookup) get(path string) gjson.Result {
	if v, ok := l.vals[path]; ok {
		return v
	}
	var v gjson.Result
	switch top := l.it.Top; {
	case strings.HasPrefix(path, "keytrail."):
		v = extraResult(l.it.Extra, path)
	case top != nil && path == "eventSource":
		v = textResult(top.EventSource)
	case top != nil && path == "eventName":
		v = textResult(top.EventName)
	case top != nil && path == "errorCode":
		v = textResult(top.ErrorCode)
	default:
		v = gjson.GetBytes(l.it.Raw, path)
	}
	l.vals[path] = v
	return v
}

// textResult is s as a gjson string, absent when empty.
func textResult(s string) gjson.Result {
	if s == "" {
		return gjson.Result{}
	}
	return gjson.Result{Type: gjson.String, Str: s}
}

func selects(sels []Selector, l *lookup) bool {
	if len(sels) == 0 {
		return true
	}
	for _, s := range sels {
		if s.matches(l) {
			return true
		}
	}
	return false
}

// extraResult reads keytrail.NAME from an item's Extra as a gjson result (strings, booleans
// and numbers; anything else is absent).
func extraResult(extra map[string]any, path string) gjson.Result {
	switch v := extra[strings.TrimPrefix(path, "keytrail.")].(type) {
	case string:
		return gjson.Result{Type: gjson.String, Str: v}
	case bool:
		if v {
			return gjson.Result{Type: gjson.True}
		}
		return gjson.Result{Type: gjson.False}
	case int:
		return gjson.Result{Type: gjson.Number, Num: float64(v), Raw: strconv.Itoa(v)}
	}
	return gjson.Result{}
}

// once marks the rules with custom.once_per that already saw it.Raw's combination: each such
// rule is given only the first record, in reading order, of each combination of the values.
func (a *Auditor) once(it *Item) {
	var l lookup
	for r, rule := range a.rules {
		if a.seen[r] == nil {
			continue
		}
		if l.it == nil {
			l.reset(it)
		}
		if !selects(rule.Select, &l) {
			continue // not the rule's record: pick drops it anyway
		}
		var k strings.Builder
		for _, p := range rule.OncePer {
			v := l.get(p)
			if v.Raw != "" {
				k.WriteString(v.Raw)
			} else {
				k.WriteString(v.String()) // from Top or Extra, which carry no raw JSON
			}
			k.WriteByte(0)
		}
		key := k.String()
		if a.seen[r][key] {
			it.skip |= 1 << r
			continue
		}
		if len(a.seen[r]) < maxOnce {
			a.seen[r][key] = true
		}
	}
}

// maxOnce bounds each once_per set: past it, records with new combinations are all given.
const maxOnce = 100_000

// configured reports whether config has a non-empty value for one of the names (or names is
// empty): custom.requires.
func configured(names []string, config map[string]any) bool {
	if len(names) == 0 {
		return true
	}
	for _, n := range names {
		switch v := config[n].(type) {
		case nil:
		case []any:
			if len(v) > 0 {
				return true
			}
		case map[string]any:
			if len(v) > 0 {
				return true
			}
		default:
			return true
		}
	}
	return false
}
