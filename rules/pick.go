package rules

import (
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// pick returns, per rule, the indexes of the batch's records its selectors pick.
func (a *Auditor) pick(b []Item) [][]int {
	picks := make([][]int, len(a.rules))
	l := lookup{a: a}
	for i := range b {
		l.reset(&b[i])
		for r, rule := range a.rules {
			if b[i].skip&(1<<r) == 0 && selects(rule.sel, &l) {
				picks[r] = append(picks[r], i)
			}
		}
	}
	return picks
}

// lookup finds a record's selector values on demand, once each.
type lookup struct {
	a     *Auditor
	it    *Item
	paths []string
	vals  []gjson.Result
}

func (l *lookup) reset(it *Item) {
	l.it = it
	l.paths, l.vals = l.paths[:0], l.vals[:0]
}

func (l *lookup) get(path string) gjson.Result {
	for i, p := range l.paths {
		if p == path {
			return l.vals[i]
		}
	}
	v := l.find(path)
	l.paths, l.vals = append(l.paths, path), append(l.vals, v)
	return v
}

func (l *lookup) find(path string) gjson.Result {
	top := l.it.Top
	if strings.HasPrefix(path, "keytrail.") {
		return extraResult(l.a.extra(l.it), path)
	}
	if top == nil {
		return gjson.GetBytes(l.it.Raw, path)
	}
	first, rest, nested := strings.Cut(path, ".")
	var member []byte
	switch first {
	case "eventSource":
		return textResult(top.EventSource)
	case "eventName":
		return textResult(top.EventName)
	case "errorCode":
		return textResult(top.ErrorCode)
	case "userIdentity":
		member = top.UserIdentity
	case "requestParameters":
		member = top.RequestParameters
	case "additionalEventData":
		member = top.AdditionalEventData
	default:
		return gjson.GetBytes(l.it.Raw, path)
	}
	switch {
	case member == nil:
		return gjson.Result{}
	case !nested:
		return gjson.ParseBytes(member)
	}
	return gjson.GetBytes(member, rest)
}

// textResult is s as a gjson string, absent when empty.
func textResult(s string) gjson.Result {
	if s == "" {
		return gjson.Result{}
	}
	return gjson.Result{Type: gjson.String, Str: s}
}

func selects(sels []compiled, l *lookup) bool {
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
// rule is given only the first record, in reading order, of each combination of the values,
// and counts the others (Close reports the count on the first record's findings).
func (a *Auditor) once(it *Item) {
	l := lookup{a: a}
	for r, rule := range a.rules {
		if a.seen[r] == nil {
			continue
		}
		if l.it == nil {
			l.reset(it)
		}
		if !selects(rule.sel, &l) {
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
		if c := a.seen[r][key]; c != nil {
			c.n++
			it.skip |= 1 << r
			continue
		}
		if len(a.seen[r]) < maxOnce {
			c := &onceCount{n: 1}
			a.seen[r][key] = c
			a.firstOf[r][it.seq] = c
		}
	}
}

// onceCount counts the records of one once_per combination.
type onceCount struct{ n int }

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
