// Package audit runs the trail rules (rules/trail and users' --rules) over CloudTrail records:
// it adds to each record the facts keytrail derives in Go (the key, the principal, the key's
// account, the lint findings of a new key policy) and hands the records to a rules.Auditor.
package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/tidwall/gjson"

	"github.com/keytrail/keytrail/internal/lint"
	"github.com/keytrail/keytrail/policy"
	"github.com/keytrail/keytrail/rules"
	"github.com/keytrail/keytrail/trail"
)

// Options configure an Auditor.
type Options struct {
	RuleDirs []string       // users' rule directories (--rules)
	Config   map[string]any // merged --data files: data.keytrail.config
	Disable  []string       // rule ids
	Workers  int            // 0: GOMAXPROCS
}

// Auditor audits a stream of records.
type Auditor struct {
	engine *rules.Engine
	a      *rules.Auditor
	ctx    context.Context

	// The new key policy of a PutKeyPolicy record is linted when a rule may read the result:
	// key-policy-changed, or users' rules. Results are cached by policy text (trails repeat the
	// same few policies).
	lintPolicies bool
	lintMu       sync.Mutex // facts runs on the audit's workers
	lintCache    map[string]lintResult
}

// The key-policy linter is prepared once per process: its Rego rules take a while to compile.
var (
	lintOnce sync.Once
	linter   *lint.Linter
	lintErr  error
)

type lintResult struct {
	findings []any
	why      string
}

// maxLintCache bounds the cache; it is emptied when full.
const maxLintCache = 256

// New loads and prepares the rules. An unknown id in Disable is an error.
func New(ctx context.Context, opts Options) (*Auditor, error) {
	e, err := rules.NewWithData(ctx, "trail", opts.RuleDirs, opts.Config)
	if err != nil {
		return nil, err
	}
	return NewWithEngine(ctx, e, opts)
}

// NewWithEngine is New with rules already loaded (opts.RuleDirs and opts.Config are the
// engine's): many audits can share one engine.
func NewWithEngine(ctx context.Context, e *rules.Engine, opts Options) (*Auditor, error) {
	known := map[string]bool{}
	for _, r := range e.Rules() {
		known[r.ID] = true
	}
	for _, id := range opts.Disable {
		if !known[id] {
			return nil, fmt.Errorf("--disable %s: no such trail rule (keytrail rules list --set trail shows them)", id)
		}
	}
	au := &Auditor{engine: e, ctx: ctx, lintCache: map[string]lintResult{}, lintPolicies: len(opts.RuleDirs) > 0}
	for _, r := range e.Rules() {
		if r.ID == "key-policy-changed" && !slices.Contains(opts.Disable, r.ID) {
			au.lintPolicies = true
		}
	}
	a, err := e.NewAuditor(ctx, rules.AuditOptions{Disable: opts.Disable, Workers: opts.Workers,
		Enrich: func(data any) (map[string]any, error) { return au.facts(data.(trail.Record)) }})
	if err != nil {
		return nil, err
	}
	au.a = a
	return au, nil
}

// Rules lists the loaded rules.
func (au *Auditor) Rules() []rules.Rule { return au.engine.Rules() }

// Add queues one record. It keeps r.Raw, which the trail reader never reuses.
func (au *Auditor) Add(r trail.Record) error {
	return au.a.Add(rules.Item{
		Raw:  r.Raw,
		Data: r, // the keytrail member is computed from it when a rule needs it (facts)
		Time: r.EventTime,
		Top:  top(r),
		Ref:  rules.Ref{EventID: r.EventID, EventName: r.EventName, File: r.Source.File, Offset: r.Source.Offset},
	})
}

// Close finishes the audit: findings sorted by time, and what the rules were given.
func (au *Auditor) Close() ([]rules.AuditFinding, rules.AuditStats, error) {
	return au.a.Close()
}

// facts computes the record's "keytrail" member (rules/trail/README.md lists it).
func (au *Auditor) facts(r trail.Record) (map[string]any, error) {
	key, keyAccount := "", ""
	if r.EventSource == "kms.amazonaws.com" {
		if key = trail.KeyOf(r); key == "(none)" {
			key = ""
		}
		keyAccount = accountOf(key)
		if keyAccount == "" {
			keyAccount = gjson.GetBytes(r.Raw, "recipientAccountId").String()
		}
	}
	m := map[string]any{"key": key, "principal": trail.PrincipalOf(r), "key_account": keyAccount}
	if keyAccount != "" {
		caller := trail.CallerAccount(r)
		m["cross_account"] = caller != "" && caller != keyAccount
	}
	if au.lintPolicies && r.EventSource == "kms.amazonaws.com" && r.EventName == "PutKeyPolicy" {
		if doc := gjson.GetBytes(r.Raw, "requestParameters.policy"); doc.Type == gjson.String {
			fs, why, err := au.lintPolicy(doc.Str)
			if err != nil {
				return nil, err
			}
			m["policy_findings"] = fs
			if why != "" {
				m["policy_error"] = why
			}
		}
	}
	return m, nil
}

// lintPolicy lints a new key policy; a document that does not parse is reported in why.
func (au *Auditor) lintPolicy(doc string) (fs []any, why string, err error) {
	lintOnce.Do(func() {
		linter, lintErr = lint.New(context.Background(), lint.Options{Type: policy.LintKey})
	})
	if lintErr != nil {
		return nil, "", lintErr
	}
	au.lintMu.Lock()
	c, ok := au.lintCache[doc]
	au.lintMu.Unlock()
	if ok {
		return c.findings, c.why, nil
	}
	found, err := linter.Lint(au.ctx, "requestParameters.policy", []byte(doc))
	if err != nil {
		return nil, "", err
	}
	defer func() {
		au.lintMu.Lock()
		defer au.lintMu.Unlock()
		if len(au.lintCache) >= maxLintCache {
			clear(au.lintCache)
		}
		au.lintCache[doc] = lintResult{fs, why}
	}()
	fs = []any{}
	for _, f := range found {
		fs = append(fs, map[string]any{"id": f.ID, "severity": f.Severity, "message": f.Message})
		if f.ID == "invalid-json" {
			why = f.Message
		}
	}
	return fs, why, nil
}

// accountOf returns the account field of an ARN, or "".
func accountOf(arn string) string {
	if !strings.HasPrefix(arn, "arn:") {
		return ""
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

func top(r trail.Record) *rules.Top {
	ui, rp, ad := trail.TopMembers(r)
	return &rules.Top{EventSource: r.EventSource, EventName: r.EventName, ErrorCode: trail.ErrorCode(r),
		UserIdentity: ui, RequestParameters: rp, AdditionalEventData: ad}
}
