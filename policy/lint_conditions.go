package policy

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/keytrail/keytrail/policy/catalog"
	"github.com/keytrail/keytrail/policy/internal/jsontree"
)

// familyKeyTypes are the catalog key types each operator family fits (LINT-CHECKS:
// String operators on ARN keys are accepted; Null fits every key).
var familyKeyTypes = map[family][]string{
	famString:           {"String", "ARN"},
	famStringIgnoreCase: {"String", "ARN"},
	famStringLike:       {"String", "ARN"},
	famARN:              {"ARN", "String"},
	famNumeric:          {"Numeric", "Date"}, // epoch seconds: KMS documents NumericLessThanEquals on kms:ValidTo
	famDate:             {"Date"},
	famBool:             {"Bool"},
	famIP:               {"IPAddress"},
	famBinary:           {"Binary"},
}

var viaServiceRE = regexp.MustCompile(`^[a-z0-9-]+\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)

// conditions checks a Condition block.
func (l *linter) conditions(st *lintStmt, v *jsontree.Node) {
	if v.Kind != jsontree.Object {
		l.add("invalid-element-type", v.Pos, st.ref, fmt.Sprintf("Condition must be an object, not %s", article(v.Kind)), "")
		st.structural, st.condBroken = true, true
		return
	}
	for _, om := range v.Members {
		info, set, _, err := parseOperator(om.Key)
		if err != nil {
			id := "invalid-condition-operator"
			if strings.HasSuffix(om.Key, "NullIfExists") {
				id = "null-with-ifexists"
			}
			l.add(id, om.KeyPos, st.ref, err.Error(), "")
			st.condBroken = true
			continue
		}
		if om.Value.Kind != jsontree.Object {
			l.add("invalid-element-type", om.Value.Pos, st.ref, fmt.Sprintf("the value of %s must be an object of condition keys, not %s", om.Key, article(om.Value.Kind)), "")
			st.structural, st.condBroken = true, true
			continue
		}
		seen := map[string]bool{}
		for _, km := range om.Value.Members {
			lower := strings.ToLower(km.Key)
			if seen[lower] {
				l.add("duplicate-condition-key", km.KeyPos, st.ref, fmt.Sprintf("condition key %q appears twice in %s (condition keys are case-insensitive)", km.Key, om.Key), "")
				st.condBroken = true
				continue
			}
			seen[lower] = true
			vals, nodes, ok := l.condValues(st, km)
			if !ok {
				st.condBroken = true
				continue
			}
			st.conds = append(st.conds, lintCond{op: om.Key, key: km.Key, values: vals, pos: km.KeyPos})
			l.conditionKey(st, om.Key, info, set, km, vals, nodes)
		}
	}
}

func (l *linter) condValues(st *lintStmt, km jsontree.Member) ([]string, []*jsontree.Node, bool) {
	nodes := []*jsontree.Node{km.Value}
	if km.Value.Kind == jsontree.Array {
		nodes = km.Value.Elems
	}
	var vals []string
	for _, n := range nodes {
		switch n.Kind {
		case jsontree.String, jsontree.Number:
			vals = append(vals, n.Str)
		case jsontree.Bool:
			vals = append(vals, fmt.Sprint(n.Bool))
		default:
			l.add("invalid-element-type", n.Pos, st.ref, fmt.Sprintf("condition values must be strings, numbers or booleans, not %s", article(n.Kind)), "")
			st.structural = true
			return nil, nil, false
		}
	}
	return vals, nodes, true
}

// conditionKey checks one (operator, key) pair: the key, its type, its values.
func (l *linter) conditionKey(st *lintStmt, op string, info opInfo, set setQual, km jsontree.Member, vals []string, nodes []*jsontree.Node) {
	cat := l.opt.Catalog
	k, known := cat.ConditionKey(km.Key)
	if !known {
		l.add("unknown-condition-key", km.KeyPos, st.ref, fmt.Sprintf("%q is neither a global aws: condition key nor a key of its service", km.Key), "")
		st.condBroken = true
	}
	if known && info.fam != famNull {
		base := strings.TrimPrefix(k.Type, "ArrayOf")
		fits := false
		for _, t := range familyKeyTypes[info.fam] {
			fits = fits || t == base
		}
		if !fits {
			l.add("condition-key-type-mismatch", km.KeyPos, st.ref, fmt.Sprintf("%s is a %s key; %s compares it as another type", km.Key, k.Type, op), "")
		}
		if set == setAllValues && !strings.HasPrefix(k.Type, "ArrayOf") {
			l.add("forallvalues-single-valued", km.KeyPos, st.ref, fmt.Sprintf("ForAllValues on the single-valued key %s is true when the key is absent", km.Key), "use the operator without ForAllValues, or add a Null check")
		}
	}
	for i, v := range vals {
		switch info.fam {
		case famString, famStringIgnoreCase, famARN:
			if strings.ContainsAny(stripVariables(v), "*?") && !strings.Contains(op, "Like") {
				l.add("wildcard-without-like", nodes[i].Pos, st.ref, fmt.Sprintf("%q under %s: * and ? are not wildcards here (or not obviously so)", v, op), "use a Like operator (StringLike, StringNotLike, ArnLike, ArnNotLike) for patterns")
			}
		case famNumeric, famDate, famBool, famBinary, famIP, famNull:
			var cv condValue
			if !cv.parse(info.fam, v) {
				l.add("invalid-condition-value", nodes[i].Pos, st.ref, fmt.Sprintf("%q is not valid for %s: expected %s; the condition can never match", v, op, familyValue[info.fam]), "")
				st.condBroken = true
			}
		}
		if strings.EqualFold(km.Key, "kms:ViaService") && info.fam != famNull {
			like := info.fam == famStringLike
			ok := viaServiceRE.MatchString(v)
			if like && strings.ContainsAny(v, "*?") { // a pattern: fine if it can match the format
				ok = strings.ToLower(v) == v && (globOverlap(v, "*.*.amazonaws.com") || globOverlap(v, "*.*.amazonaws.com.cn"))
			}
			if !(strings.ContainsAny(v, "*?") && !like) && !ok {
				l.add("viaservice-format", nodes[i].Pos, st.ref, fmt.Sprintf("kms:ViaService %q: expected a lower-case service.region.amazonaws.com", v), "for example s3.us-east-1.amazonaws.com")
			}
		}
	}
	if known && !strings.HasPrefix(strings.ToLower(k.Key), "aws:") {
		l.keyActionMismatch(st, km, k)
	}
}

func stripVariables(v string) string { return placeholderRE.ReplaceAllString(v, "") }

// keyActionMismatch: a known service key that none of the statement's actions (or their
// resource types) supports.
func (l *linter) keyActionMismatch(st *lintStmt, km jsontree.Member, k catalog.Key) {
	if st.notAction || len(st.actions) == 0 {
		return
	}
	cat := l.opt.Catalog
	keyLower := strings.ToLower(k.Key)
	for _, a := range st.actions {
		if a == "*" {
			return
		}
		for _, act := range cat.Expand(a) {
			if supports(cat, act, keyLower) {
				return
			}
		}
	}
	l.add("condition-key-action-mismatch", km.KeyPos, st.ref, fmt.Sprintf("none of the statement's actions supports %s, so the condition never applies as intended", km.Key), "")
}

func supports(cat *catalog.Catalog, a *catalog.Action, keyLower string) bool {
	has := func(keys []string) bool {
		for _, k := range keys {
			if strings.ToLower(k) == keyLower {
				return true
			}
		}
		return false
	}
	if has(a.Keys) {
		return true
	}
	svc := cat.Service(a.Service)
	for _, r := range a.Resources {
		if has(r.Keys) || has(svc.Resources[r.Type].Keys) {
			return true
		}
	}
	return false
}
