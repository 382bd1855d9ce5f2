package rules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/keytrail/keytrail/policy"
)

// A Selector picks the records a trail rule is given: every field (a gjson path, or
// keytrail.NAME for a member of the record's keytrail object) must match one of its patterns.
// Patterns are globs (* any run, ? one character); the pattern "*" also requires the field to
// be present and not null, and null (no patterns) requires it absent or null. The pattern
// "data.NAME" stands for the globs --data gives as NAME (a list, or an object's keys); with
// none, it matches nothing. A rule with several selectors gets the records any of them picks;
// a rule with none gets every record.
//
// Selectors only save work: a rule must still check what it relies on, so that it gives the
// same findings when run without them (keytrail rules test does).
type Selector map[string][]string

// condition is one field of a compiled selector.
type condition struct {
	path   string
	pats   []string // nil: absent or null
	glob   []bool   // per pattern: has a wildcard
	absent bool
}

// compiled is a selector as pick runs it: its fields in a fixed order, cheapest first (those
// the reader already found, then the rest).
type compiled []condition

func (s Selector) compile() compiled {
	var out compiled
	for path, pats := range s {
		c := condition{path: path, pats: pats, absent: pats == nil}
		for _, p := range pats {
			c.glob = append(c.glob, strings.ContainsAny(p, "*?"))
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := isCheap(out[i].path), isCheap(out[j].path); a != b {
			return a
		}
		return out[i].path < out[j].path
	})
	return out
}

// matches reports whether the record l looks up matches.
func (c compiled) matches(l *lookup) bool {
	for i := range c {
		if !c[i].matches(l.get(c[i].path)) {
			return false
		}
	}
	return true
}

func (c *condition) matches(v gjson.Result) bool {
	if !v.Exists() || v.Type == gjson.Null {
		return c.absent
	}
	if c.absent {
		return false
	}
	str := v.String()
	for i, p := range c.pats {
		if c.glob[i] {
			if p == "*" || policy.Glob(p, str) {
				return true
			}
		} else if p == str {
			return true
		}
	}
	return false
}

func isCheap(path string) bool {
	switch path {
	case "eventSource", "eventName", "errorCode":
		return true
	}
	return strings.HasPrefix(path, "keytrail.")
}

// trailMetadata reads custom.select (a list of {path: pattern or [patterns]}),
// custom.threshold (a positive integer) and custom.window (a Go duration such as 6m).
func (r *Rule) trailMetadata(custom map[string]any) error {
	if sel, ok := custom["select"]; ok {
		list, ok := sel.([]any)
		if !ok {
			return fmt.Errorf("custom.select must be a list of {path: pattern(s)} objects")
		}
		for _, item := range list {
			m, ok := item.(map[string]any)
			if !ok || len(m) == 0 {
				return fmt.Errorf("custom.select: each entry must be a non-empty {path: pattern(s)} object")
			}
			s := Selector{}
			for path, v := range m {
				switch x := v.(type) {
				case nil:
					s[path] = nil
				case string:
					s[path] = []string{x}
				case []any:
					for _, p := range x {
						ps, ok := p.(string)
						if !ok {
							return fmt.Errorf("custom.select: %s: patterns must be strings", path)
						}
						s[path] = append(s[path], ps)
					}
				default:
					return fmt.Errorf("custom.select: %s: expected a pattern or a list of patterns", path)
				}
			}
			r.Select = append(r.Select, s)
		}
	}
	for name, dst := range map[string]*[]string{"once_per": &r.OncePer, "requires": &r.Requires} {
		v, ok := custom[name]
		if !ok {
			continue
		}
		list, ok := v.([]any)
		for _, x := range list {
			s, isStr := x.(string)
			if !isStr || s == "" {
				ok = false
				break
			}
			*dst = append(*dst, s)
		}
		if !ok || len(list) == 0 {
			return fmt.Errorf("custom.%s must be a non-empty list of strings", name)
		}
	}
	if t, ok := custom["threshold"]; ok {
		n, err := strconv.Atoi(fmt.Sprint(t))
		if err != nil || n < 1 {
			return fmt.Errorf("custom.threshold must be a positive integer, not %v", t)
		}
		r.Threshold = n
	}
	if w, ok := custom["window"]; ok {
		d, err := time.ParseDuration(fmt.Sprint(w))
		if err != nil || d <= 0 {
			return fmt.Errorf("custom.window must be a positive duration such as 6m, not %v", w)
		}
		r.Window, r.WindowText = d, d.String()
	}
	return nil
}

// expand replaces data.NAME patterns by the config's globs.
func (s Selector) expand(config map[string]any) Selector {
	out := Selector{}
	for path, pats := range s {
		if pats == nil {
			out[path] = nil
			continue
		}
		list := []string{}
		for _, p := range pats {
			name, ok := strings.CutPrefix(p, "data.")
			if !ok {
				list = append(list, p)
				continue
			}
			switch v := config[name].(type) {
			case []any:
				for _, x := range v {
					if g, ok := x.(string); ok {
						list = append(list, g)
					}
				}
			case map[string]any:
				for k := range v {
					list = append(list, k)
				}
			}
		}
		out[path] = list
	}
	return out
}

// String renders a selector for `keytrail rules list`: "eventName=A|B AND eventSource=kms...".
func (s Selector) String() string {
	var parts []string
	for p, pats := range s {
		if pats == nil {
			parts = append(parts, p+" absent")
			continue
		}
		parts = append(parts, p+"="+strings.Join(pats, "|"))
	}
	sort.Strings(parts)
	return strings.Join(parts, " AND ")
}
