package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/keytrail/keytrail/policy"
)

// decisionOut is the JSON form of an explained decision.
type decisionOut struct {
	Principal            string      `json:"principal"`
	Action               string      `json:"action"`
	Resource             string      `json:"resource"`
	Decision             string      `json:"decision"`
	Summary              string      `json:"summary"`
	DependsOnMissingKeys bool        `json:"dependsOnMissingKeys"`
	Requirements         []reqOut    `json:"requirements,omitempty"`
	Statements           []stmtOut   `json:"statements"`
	Grant                string      `json:"grant,omitempty"`
	Notes                []string    `json:"notes,omitempty"`
	Steps                []stepOut   `json:"steps,omitempty"`
	Grants               []traceJSON `json:"grants,omitempty"`
}

type reqOut struct {
	Key       string   `json:"key"`
	Operator  string   `json:"operator"`
	Values    []string `json:"values"`
	Negated   bool     `json:"negated,omitempty"` // the condition must be false
	Statement stmtOut  `json:"statement"`
}

type stmtOut struct {
	Policy string `json:"policy"`
	Sid    string `json:"sid,omitempty"`
	Index  int    `json:"index"`
	Line   int    `json:"line"`
	Col    int    `json:"col"`
	Effect string `json:"effect"`
}

type stepOut struct {
	Layer     string  `json:"layer"`
	Statement stmtOut `json:"statement"`
	traceJSON
}

type traceJSON struct {
	Applies bool   `json:"applies"`
	Missing bool   `json:"missingKeys,omitempty"`
	Match   string `json:"principalMatch,omitempty"`
	Why     string `json:"why"`
}

func stmtJSON(s *policy.Statement) stmtOut {
	return stmtOut{Policy: s.Policy.Name, Sid: s.Sid, Index: s.Index, Line: s.Pos.Line, Col: s.Pos.Col, Effect: s.Effect.String()}
}

func toTraceJSON(t policy.Trace) traceJSON {
	return traceJSON{Applies: t.Applies, Missing: t.Missing, Match: t.Match, Why: t.Why}
}

func newDecisionOut(req *policy.Request, x *policy.Explanation, steps bool) decisionOut {
	d := x.Decision
	o := decisionOut{Principal: req.Principal.ARN, Action: req.Action, Resource: req.Resource,
		Decision: d.Outcome.String(), Summary: x.Summary, DependsOnMissingKeys: d.DependsOnMissingKeys,
		Statements: []stmtOut{}, Notes: x.Notes}
	for _, s := range d.Statements() {
		o.Statements = append(o.Statements, stmtJSON(s))
	}
	if d.Grant != nil {
		o.Grant = d.Grant.ID
		if o.Grant == "" {
			o.Grant = d.Grant.Name
		}
	}
	for _, r := range x.Requirements {
		o.Requirements = append(o.Requirements, reqOut{Key: r.Key, Operator: r.Operator, Values: r.Values, Negated: r.Negated, Statement: stmtJSON(r.Statement)})
	}
	if steps {
		for _, st := range x.Steps {
			o.Steps = append(o.Steps, stepOut{Layer: st.Layer, Statement: stmtJSON(st.Statement), traceJSON: toTraceJSON(st.Trace)})
		}
		for _, g := range x.Grants {
			o.Grants = append(o.Grants, toTraceJSON(g))
		}
	}
	return o
}

// conditional renders the requirements: "allowed only if ..." for a deny, "allowed unless ..."
// for an allow.
func conditional(x *policy.Explanation) string {
	if !x.Decision.DependsOnMissingKeys || len(x.Requirements) == 0 {
		return ""
	}
	var parts []string
	for _, r := range x.Requirements {
		parts = append(parts, requirementText(r))
	}
	if x.Decision.Outcome == policy.Allow {
		return "allowed unless " + strings.Join(parts, " or ")
	}
	return "allowed only if " + strings.Join(parts, " and ")
}

// requirementText reads a condition on a missing key in words where it can:
// "kms:GrantIsForAWSResource is true"; a negated requirement (a condition that must be false)
// reads as its opposite: "aws:PrincipalOrgID is o-abc" for not (StringNotEquals o-abc).
func requirementText(r policy.Requirement) string {
	vals := strings.Join(r.Values, " or ")
	op := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(r.Operator, "ForAnyValue:"), "ForAllValues:"), "IfExists")
	positive := map[string]string{
		"Bool": "is", "StringEquals": "is", "ArnEquals": "is", "ArnLike": "is like", "NumericEquals": "is",
		"DateEquals": "is", "StringLike": "is like", "IpAddress": "is in", "StringEqualsIgnoreCase": "is (ignoring case)",
	}
	negative := map[string]string{
		"StringNotEquals": "is not", "ArnNotEquals": "is not", "ArnNotLike": "is not like", "NumericNotEquals": "is not",
		"DateNotEquals": "is not", "StringNotLike": "is not like", "NotIpAddress": "is not in", "StringNotEqualsIgnoreCase": "is not (ignoring case)",
	}
	opposite := map[string]string{"is": "is not", "is like": "is not like", "is in": "is not in", "is (ignoring case)": "is not (ignoring case)"}
	for k, v := range opposite {
		opposite[v] = k
	}
	if r.Operator != op { // set qualifiers and IfExists: say it as written
		if r.Negated {
			return fmt.Sprintf("not (%s %s %s)", r.Key, r.Operator, vals)
		}
		return fmt.Sprintf("%s %s %s", r.Key, r.Operator, vals)
	}
	if op == "Null" {
		absent := vals == "true"
		if r.Negated {
			absent = !absent
		}
		if absent {
			return r.Key + " is absent"
		}
		return r.Key + " is present"
	}
	verb, ok := positive[op]
	if !ok {
		verb, ok = negative[op]
	}
	if !ok {
		if r.Negated {
			return fmt.Sprintf("not (%s %s %s)", r.Key, r.Operator, vals)
		}
		return fmt.Sprintf("%s %s %s", r.Key, r.Operator, vals)
	}
	if r.Negated {
		verb = opposite[verb]
	}
	return fmt.Sprintf("%s %s %s", r.Key, verb, vals)
}

// reasons are the plain-text reasons of a decision: the summary, the conditional answer, notes.
func reasons(x *policy.Explanation) []string {
	out := []string{x.Summary}
	if c := conditional(x); c != "" {
		out = append(out, c)
	}
	return append(out, x.Notes...)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func writeJSONIndent(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table renders rows under a header.
func table(w io.Writer, header []string, rows [][]string) error {
	return tableWrap(w, header, rows, 0)
}

// tableWrap is table with cells wrapped at word boundaries to at most width columns (0: no
// wrapping), for long messages.
func tableWrap(w io.Writer, header []string, rows [][]string, width int) error {
	opts := []tablewriter.Option{
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	}
	if width > 0 {
		opts = append(opts, tablewriter.WithRowAutoWrap(tw.WrapNormal), tablewriter.WithRowMaxWidth(width))
	}
	t := tablewriter.NewTable(w, opts...)
	t.Header(toAny(header)...)
	for _, r := range rows {
		if err := t.Append(toAny(r)...); err != nil {
			return err
		}
	}
	return t.Render()
}

func toAny(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// writeDecision renders an explained decision as text.
func writeDecision(w io.Writer, req *policy.Request, x *policy.Explanation, explain bool) error {
	fmt.Fprintf(w, "%s: %s %s on %s\n", x.Decision.Outcome, req.Principal.ARN, req.Action, req.Resource)
	fmt.Fprintf(w, "  why: %s\n", x.Summary)
	if c := conditional(x); c != "" {
		fmt.Fprintf(w, "  conditional: %s\n", c)
		for _, r := range x.Requirements {
			fmt.Fprintf(w, "    %s  (%s)\n", r, r.Statement.Ref())
		}
	}
	for _, n := range x.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	if !explain {
		return nil
	}
	fmt.Fprintln(w)
	var rows [][]string
	for _, st := range x.Steps {
		res := "no"
		switch {
		case st.Applies:
			res = "APPLIES"
		case st.Missing:
			res = "if keys"
		}
		rows = append(rows, []string{st.Layer, st.Statement.Name(), st.Statement.Effect.String(), res, st.Why})
	}
	for _, g := range x.Grants {
		res := "no"
		if g.Applies {
			res = "APPLIES"
		}
		rows = append(rows, []string{"grant", "", "Allow", res, g.Why})
	}
	return table(w, []string{"POLICY", "STATEMENT", "EFFECT", "APPLIES", "WHY"}, rows)
}

// outputFlag is an --output value: "table" (the default) or "json". pflag reports any other
// value as a usage error.
type outputFlag struct{ v *string }

func newOutputFlag(v *string) outputFlag {
	*v = "table"
	return outputFlag{v}
}

func (o outputFlag) String() string { return *o.v }
func (o outputFlag) Type() string   { return "table|json" }
func (o outputFlag) Set(s string) error {
	if s != "table" && s != "json" {
		return fmt.Errorf("expected table or json, not %q", s)
	}
	*o.v = s
	return nil
}
