package policy

import (
	"fmt"
	"strings"
)

// A pattern is policy text (a Resource or a condition value) that may hold policy variables.
// tmpl is nil when the text has no variables or the policy's Version does not expand them.
type pattern struct {
	text string
	tmpl *template
}

// template is text with ${...} policy variables.
type template struct {
	parts []part
}

type part struct {
	lit        string // literal text (when key == "")
	key        string // lower-cased context key of a variable
	name       string // the key as written
	def        string // default value
	hasDefault bool
	special    bool // ${*}, ${?}, ${$}: lit is the character, matched literally
}

// parseTemplate splits text into literals and variables. It returns nil when the text has
// no variables. "${" without a closing "}" is literal text, as is an empty "${}".
func parseTemplate(text string) (*template, error) {
	if !strings.Contains(text, "${") {
		return nil, nil
	}
	var t template
	rest := text
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			break
		}
		end := strings.IndexByte(rest[i:], '}')
		if end < 0 {
			break
		}
		inner := rest[i+2 : i+end]
		p, ok, err := parseVariable(inner)
		if err != nil {
			return nil, fmt.Errorf("invalid policy variable \"${%s}\": %w", inner, err)
		}
		if !ok {
			t.lit(rest[:i+end+1])
			rest = rest[i+end+1:]
			continue
		}
		t.lit(rest[:i])
		t.parts = append(t.parts, p)
		rest = rest[i+end+1:]
	}
	t.lit(rest)
	for _, p := range t.parts {
		if p.key != "" || p.special {
			return &t, nil
		}
	}
	return nil, nil
}

func (t *template) lit(s string) {
	if s == "" {
		return
	}
	if n := len(t.parts); n > 0 && t.parts[n-1].key == "" && !t.parts[n-1].special {
		t.parts[n-1].lit += s
		return
	}
	t.parts = append(t.parts, part{lit: s})
}

// parseVariable parses what is between "${" and "}". ok is false for text that is not a
// variable (kept literally).
func parseVariable(inner string) (part, bool, error) {
	switch inner {
	case "*", "?", "$":
		return part{lit: inner, special: true}, true, nil
	case "":
		return part{}, false, nil
	}
	name, def, hasDef := strings.Cut(inner, ",")
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsAny(name, " \t'\"${") {
		return part{}, false, nil
	}
	p := part{key: strings.ToLower(name), name: name}
	if hasDef {
		def = strings.TrimSpace(def)
		if len(def) < 2 || def[0] != '\'' || def[len(def)-1] != '\'' {
			return part{}, false, fmt.Errorf("a default value must be in single quotes, as in ${%s, 'default'}", name)
		}
		p.def, p.hasDefault = def[1:len(def)-1], true
	}
	return p, true, nil
}

// expand substitutes the variables from the request. When glob is true, the result is a glob
// pattern in which substituted text and ${*}/${?} are escaped with a backslash so that they
// match literally (escapeGlob). ok is false when a variable has no value and no default:
// the text then matches nothing. missing names that variable.
func (p *pattern) expand(e *env, glob bool) (s string, ok bool, missing string) {
	if p.tmpl == nil {
		return p.text, true, ""
	}
	var b strings.Builder
	for _, pt := range p.tmpl.parts {
		switch {
		case pt.special:
			if glob && pt.lit != "$" {
				b.WriteByte('\\')
			}
			b.WriteString(pt.lit)
		case pt.key == "":
			if glob {
				writeGlobLiteral(&b, pt.lit, false)
			} else {
				b.WriteString(pt.lit)
			}
		default:
			v := e.get(pt.key)
			var val string
			switch {
			case v.len() == 1:
				val = v.at(0)
			case v.len() == 0 && pt.hasDefault:
				val = pt.def
			default: // absent without a default, or multivalued: AWS substitutes nothing usable
				return "", false, pt.name
			}
			if glob {
				writeGlobLiteral(&b, val, true)
			} else {
				b.WriteString(val)
			}
		}
	}
	return b.String(), true, ""
}

// writeGlobLiteral writes policy text into an escaped glob. Policy text keeps its wildcards
// (quoteWildcards false); substituted values are matched literally (quoteWildcards true).
// A backslash is always escaped, since the escaped form gives it meaning.
func writeGlobLiteral(b *strings.Builder, s string, quoteWildcards bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' || quoteWildcards && (c == '*' || c == '?') {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
}
