package policy

import (
	"strings"
	"unicode/utf8"
)

// Glob reports whether s matches pattern, case-sensitively: '*' matches any run of characters
// (possibly empty), '?' exactly one. It is the wildcard matching of policy elements, for
// other packages (trail query's ~ operator).
func Glob(pattern, s string) bool { return glob(pattern, s, false, false) }

// glob matches s against a pattern in which '*' matches any run of characters (possibly
// empty) and '?' exactly one character. fold compares ASCII letters case-insensitively
// (action names). escaped gives '\' its meaning in expanded patterns: the next byte is literal.
// It runs in O(len(pattern)·len(s)) worst case and never allocates.
func glob(pattern, s string, fold, escaped bool) bool {
	pi, si := 0, 0
	starPi, starSi := -1, 0
	for si < len(s) {
		if pi < len(pattern) {
			c := pattern[pi]
			switch {
			case c == '*':
				starPi, starSi = pi, si
				pi++
				continue
			case c == '?':
				_, size := utf8.DecodeRuneInString(s[si:])
				pi++
				si += size
				continue
			case c == '\\' && escaped && pi+1 < len(pattern):
				if byteEq(pattern[pi+1], s[si], fold) {
					pi += 2
					si++
					continue
				}
			default:
				if byteEq(c, s[si], fold) {
					pi++
					si++
					continue
				}
			}
		}
		if starPi < 0 {
			return false
		}
		// Backtrack: let the last star absorb one more character.
		_, size := utf8.DecodeRuneInString(s[starSi:])
		starSi += size
		pi, si = starPi+1, starSi
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}

func byteEq(a, b byte, fold bool) bool {
	if a == b {
		return true
	}
	if !fold {
		return false
	}
	if 'A' <= a && a <= 'Z' {
		a += 'a' - 'A'
	}
	if 'A' <= b && b <= 'Z' {
		b += 'a' - 'A'
	}
	return a == b
}

// patternKind says how a pattern can be matched: most are a plain name, or a name with one
// final '*', which need no backtracking.
type patternKind uint8

const (
	patternGlob   patternKind = iota // anything else: glob
	patternExact                     // no wildcard
	patternPrefix                    // one '*', at the end
)

func kindOf(p string) patternKind {
	switch i := strings.IndexAny(p, "*?"); {
	case i < 0:
		return patternExact
	case i == len(p)-1 && p[i] == '*':
		return patternPrefix
	}
	return patternGlob
}

// foldEqual compares strings of one length with ASCII letters case-insensitive, as glob does
// for action names.
func foldEqual(a, b string) bool {
	for i := 0; i < len(a); i++ {
		if !byteEq(a[i], b[i], true) {
			return false
		}
	}
	return true
}

// matchAction matches a request action ("kms:Decrypt") against a lower-cased action pattern.
// Service prefixes and action names are case-insensitive.
func matchAction(pattern, action string) bool {
	return pattern == "*" || glob(pattern, action, true, false)
}

// matchARN matches an ARN against an ARN pattern the way AWS matches Resource values and
// ArnLike: case-sensitively, segment by segment (partition, service, region, account,
// resource), so that a wildcard cannot reach across a colon into the next segment. The last
// segment of the pattern takes the rest of the ARN, colons included. In the Resource element
// (resource true) a '*' that ends a segment may also reach across colons, as IAM documents.
// Values that are not ARNs are matched as a whole.
func matchARN(pattern, arn string, escaped, resource bool) bool {
	if pattern == "*" {
		return true
	}
	if !strings.HasPrefix(arn, "arn:") || !strings.HasPrefix(pattern, "arn:") {
		return glob(pattern, arn, false, escaped)
	}
	p, v := pattern, arn
	for seg := 0; seg < 5; seg++ {
		pc := strings.IndexByte(p, ':')
		if pc < 0 { // the pattern's last segment takes the rest of the ARN
			return glob(p, v, false, escaped)
		}
		if resource && pc > 0 && p[pc-1] == '*' && (pc < 2 || p[pc-2] != '\\') && glob(p, v, false, escaped) {
			return true
		}
		vc := strings.IndexByte(v, ':')
		if vc < 0 {
			return false
		}
		if !glob(p[:pc], v[:vc], false, escaped) {
			return false
		}
		p, v = p[pc+1:], v[vc+1:]
	}
	return glob(p, v, false, escaped)
}

// arnSegments splits an ARN into its six parts; ok is false when it has fewer.
func arnSegments(arn string) (parts [6]string, ok bool) {
	rest := arn
	for i := 0; i < 5; i++ {
		c := strings.IndexByte(rest, ':')
		if c < 0 {
			return parts, false
		}
		parts[i], rest = rest[:c], rest[c+1:]
	}
	parts[5] = rest
	return parts, parts[0] == "arn"
}
