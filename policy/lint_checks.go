package policy

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/keytrail/keytrail/policy/catalog"
	"github.com/keytrail/keytrail/policy/internal/jsontree"
)

// invalidCharacters reports, once per statement (or once for the document), characters
// outside KMS's key-policy character set.
func (l *linter) invalidCharacters(stmts []*jsontree.Node, refs []any) {
	if l.typ != LintKey {
		return
	}
	line, col := 1, 1
	reported := map[any]bool{}
	next := 0 // statements start in document order: advance as the scan passes them
	var ref any
	text := strings.TrimPrefix(string(l.data), "\uFEFF") // a BOM the parser skips
	for _, r := range text {
		for next < len(stmts) && (stmts[next].Pos.Line < line || stmts[next].Pos.Line == line && stmts[next].Pos.Col <= col) {
			ref = refs[next]
			next++
		}
		if !latin1Printable(r) {
			if next-1 >= 0 && firstDuplicate(stmts[next-1]) != nil {
				continue // a statement with a duplicated member gets duplicate-key and nothing else
			}
			key := ref
			if key == nil {
				key = "document"
			}
			if !reported[key] {
				reported[key] = true
				l.add("invalid-characters", jsontree.Pos{Line: line, Col: col}, ref,
					fmt.Sprintf("character %U is outside the KMS key-policy character set (printable ASCII and Latin-1, tab, LF, CR)", r), "")
			}
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
}

// catalogActions checks action entries against the catalog: unknown-service, unknown-action,
// and, in key policies, action-not-applicable.
func (l *linter) catalogActions(st *lintStmt, vals []string, nodes []*jsontree.Node) {
	cat := l.opt.Catalog
	var unknownSvc, unknownAct, notApplicable []string
	var firstSvc, firstAct, firstNA jsontree.Pos
	for i, a := range vals {
		if a == "*" {
			continue
		}
		svc, name, ok := strings.Cut(a, ":")
		if !ok || name == "" {
			unknownAct = append(unknownAct, a)
			firstAct = pick(firstAct, nodes[i].Pos)
			continue
		}
		if !strings.ContainsAny(svc, "*?") && cat.Service(svc) == nil {
			unknownSvc = append(unknownSvc, a)
			firstSvc = pick(firstSvc, nodes[i].Pos)
			continue
		}
		matched := cat.Expand(a)
		if len(matched) == 0 {
			unknownAct = append(unknownAct, a)
			firstAct = pick(firstAct, nodes[i].Pos)
			continue
		}
		if l.typ == LintKey && !st.notAction && !anyActsOnKey(matched) {
			notApplicable = append(notApplicable, a)
			firstNA = pick(firstNA, nodes[i].Pos)
		}
	}
	if len(unknownSvc) > 0 {
		l.add("unknown-service", firstSvc, st.ref, "unknown service prefix in "+quoteList(unknownSvc), "")
	}
	if len(unknownAct) > 0 {
		l.add("unknown-action", firstAct, st.ref, "no AWS action matches "+quoteList(unknownAct), "check the spelling against the Service Authorization Reference")
	}
	if len(notApplicable) > 0 {
		l.add("action-not-applicable", firstNA, st.ref, quoteList(notApplicable)+" can never apply in a key policy: these actions do not act on a KMS key (IAM-only or another service's)", "grant them in an IAM policy")
	}
}

func pick(first, p jsontree.Pos) jsontree.Pos {
	if first.Line == 0 {
		return p
	}
	return first
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// anyActsOnKey reports whether some action is a KMS action on a key.
func anyActsOnKey(as []*catalog.Action) bool {
	for _, a := range as {
		if a.Service != "kms" {
			continue
		}
		for _, r := range a.Resources {
			if r.Type == "key" {
				return true
			}
		}
	}
	return false
}

var partitions = map[string]bool{"aws": true, "aws-cn": true, "aws-us-gov": true, "aws-iso": true, "aws-iso-b": true, "aws-iso-e": true, "aws-iso-f": true, "aws-eusc": true}

// catalogResources checks Resource values: invalid-arn, key-policy-resource, resource-mismatch.
func (l *linter) catalogResources(st *lintStmt, vals []string, nodes []*jsontree.Node) {
	invalid := map[string]bool{}
	for i, r := range vals {
		if r == "*" {
			continue
		}
		msg := arnProblem(r)
		if msg == "" {
			msg = l.s3ARNProblem(r)
		}
		if msg != "" {
			invalid[r] = true
			l.add("invalid-arn", nodes[i].Pos, st.ref, fmt.Sprintf("invalid ARN %q: %s", r, msg), "")
			continue
		}
		if l.typ == LintKey && r != l.opt.KeyARN {
			l.add("key-policy-resource", nodes[i].Pos, st.ref, fmt.Sprintf("Resource %q in a key policy: the resource of a key policy is the key itself, so use \"*\" (an alias ARN or another key's ARN never matches)", r), `"Resource": "*"`)
		}
	}
	if l.typ == LintKey || st.notRes || len(vals) == 0 {
		return
	}
	// resource-mismatch: explicitly named actions none of whose ARN formats fit a Resource.
	var mismatched []string
	var first jsontree.Pos
	for _, a := range st.actions {
		if strings.ContainsAny(a, "*?") {
			continue
		}
		act := l.opt.Catalog.Action(a)
		if act == nil || len(act.Resources) == 0 {
			continue
		}
		svc := l.opt.Catalog.Service(act.Service)
		fits := false
		for _, r := range vals {
			if r == "*" || invalid[r] {
				fits = true
				break
			}
			for _, ref := range act.Resources {
				if rt, ok := svc.Resources[ref.Type]; ok && globOverlap(placeholderGlob(rt.ARN), r) {
					fits = true
				}
			}
		}
		if !fits {
			mismatched = append(mismatched, a)
			if first.Line == 0 && len(nodes) > 0 {
				first = nodes[0].Pos
			}
		}
	}
	if len(mismatched) > 0 {
		l.add("resource-mismatch", first, st.ref, fmt.Sprintf("%s act on none of the statement's resources (their ARN formats do not match)", quoteList(mismatched)), "")
	}
}

var placeholderRE = regexp.MustCompile(`\$\{[^}]*\}`)

var formatGlobs sync.Map // ARN format → glob

// segmentPlaceholders never hold a "/": a bucket name, an account, a region.
var segmentPlaceholders = map[string]bool{
	"${BucketName}": true, "${Account}": true, "${Region}": true, "${Partition}": true,
}

// noSlash is the glob rune placeholderGlob writes for a segmentPlaceholders entry:
// any run of characters other than "/".
const noSlash = '\x00'

// placeholderGlob turns an ARN format's ${...} placeholders into wildcards (cached).
func placeholderGlob(format string) string {
	if g, ok := formatGlobs.Load(format); ok {
		return g.(string)
	}
	g := placeholderRE.ReplaceAllStringFunc(format, func(p string) string {
		if segmentPlaceholders[p] {
			return string(noSlash)
		}
		return "*"
	})
	formatGlobs.Store(format, g)
	return g
}

// arnProblem says what is wrong with a Resource ARN, or "".
func arnProblem(r string) string {
	if !strings.HasPrefix(r, "arn:") {
		return "an ARN starts with arn: (or use \"*\")"
	}
	parts, ok := arnSegments(r)
	if !ok {
		if strings.HasSuffix(r, "*") {
			return ""
		}
		return "an ARN has six colon-separated parts: arn:partition:service:region:account:resource"
	}
	if !partitions[parts[1]] && !strings.ContainsAny(parts[1], "*?") {
		return fmt.Sprintf("unknown partition %q", parts[1])
	}
	if parts[2] == "" {
		return "the service is empty"
	}
	return ""
}

// s3ARNProblem rejects S3 ARNs with a Region or account that fit none of S3's resource formats
// (bucket and object ARNs carry neither; access points, jobs and Storage Lens carry both).
func (l *linter) s3ARNProblem(r string) string {
	parts, ok := arnSegments(r)
	if !ok || parts[2] != "s3" || parts[3] == "" && parts[4] == "" {
		return ""
	}
	if svc := l.opt.Catalog.Service("s3"); svc != nil {
		for _, rt := range svc.Resources {
			if globOverlap(placeholderGlob(rt.ARN), r) && strings.Contains(rt.ARN, "${Account}") {
				return ""
			}
		}
	}
	return "S3 bucket and object ARNs have no Region or account (arn:aws:s3:::bucket/key)"
}

// globOverlap reports whether some string matches both glob patterns (each with * and ?):
// a dynamic program over (position in a, position in b), memoized in one flat table.
func globOverlap(a, b string) bool {
	w := len(b) + 1
	memo := make([]int8, (len(a)+1)*w) // 0 unknown, 1 true, 2 false
	var rec func(i, j int) bool
	rec = func(i, j int) bool {
		if m := memo[i*w+j]; m != 0 {
			return m == 1
		}
		var res bool
		switch {
		case i == len(a) && j == len(b):
			res = true
		case i < len(a) && a[i] == '*':
			res = rec(i+1, j) || j < len(b) && rec(i, j+1)
		case i < len(a) && a[i] == noSlash:
			res = rec(i+1, j) || j < len(b) && b[j] != '/' && rec(i, j+1)
		case j < len(b) && b[j] == '*':
			res = rec(i, j+1) || i < len(a) && rec(i+1, j)
		case i < len(a) && j < len(b):
			res = (a[i] == b[j] || a[i] == '?' || b[j] == '?') && rec(i+1, j+1)
		}
		memo[i*w+j] = 2
		if res {
			memo[i*w+j] = 1
		}
		return res
	}
	return rec(0, 0)
}
