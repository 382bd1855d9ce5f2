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
// keytrail.NAME for a member of the record's keytrail object) must match one of its patterns. Patterns are globs (* any run, ? one character); the pattern "*" also
// requires the field to be present and not null. A rule with several selectors gets the
// records any of them picks; a rule with none gets every record.
//
// Selectors only save work: a rule must still check what it relies on, so that it gives the
// same findings when run without them (keytrail rules test does).
type Selector map[string][]string

// matches reports whether the record l looks up matches. eventSource and eventName are tried
// first: they are known without scanning the record and rule most records out.
func (s Selector) matches(l *lookup) bool {
	for _, p := range [2]string{"eventSource", "eventName"} {
		if pats, ok := s[p]; ok && !matchAny(pats, l.get(p)) {
			return false
		}
	}
	for path, pats := range s {
		if path != "eventSource" && path != "eventName" && !matchAny(pats, l.get(path)) {
			return false
		}
	}
	return true
}

func matchAny(pats []string, v gjson.Result) bool {
	if !v.Exists() || v.Type == gjson.Null {
		return false
	}
	str := v.String()
	for _, p := range pats {
		if p == "*" || policy.Glob(p, str) {
			return true
		}
	}
	return false
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

// String renders a selector for `keytrail rules list`: "eventName=A|B AND eventSource=kms...".
func (s Selector) String() string {
	var parts []string
	for p, pats := range s {
		parts = append(parts, p+"="+strings.Join(pats, "|"))
	}
	sort.Strings(parts)
	return strings.Join(parts, " AND ")
}
