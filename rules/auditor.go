package rules

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// An Auditor runs the trail rules over a stream of records. Records are evaluated in batches
// (input.records, one array per rule holding the records its selectors pick) on all cores.
// What a rule says about one record it says in deny or warn; what takes more than one record
// it says in three more sets, whose state the Auditor keeps across batches and files:
//
//   - signal {group, record, message?}: counted per group in the rule's sliding window
//     (custom.threshold and custom.window, overridable in data.keytrail.config.thresholds);
//     reaching the threshold is a finding on the record that reached it;
//   - resolve {key, record}: a finding with that resolve_key on an earlier record is resolved
//     (DisableKey followed by EnableKey);
//   - fact {key, record}: a finding that needs that key is kept only if some record states it.
//
// A deny or warn object is {record, message} and optionally severity (deny defaults to error,
// warn to warning), id, principal, key, resolve_key, needs and dedupe (of findings sharing a
// dedupe value only the first is kept).
type Auditor struct {
	e       *Engine
	rules   []*auditRule
	seen    []map[string]*onceCount // per rule with custom.once_per: the combinations so far
	firstOf []map[int64]*onceCount  // the same, by the seq of each combination's first record
	size    int
	batch   []Item
	seq     int64
	work    chan []Item
	wg      sync.WaitGroup
	mu      sync.Mutex
	err     error
	state   auditState
	stats   AuditStats
	enrich  func(any) (map[string]any, error)
}

// Item is one record handed to an Auditor. The Auditor keeps Raw: the caller must not reuse it.
type Item struct {
	Raw   []byte         // the record, a valid JSON object
	Extra map[string]any // given to rules as the record's member "keytrail"
	// Data is the caller's, for AuditOptions.Enrich: when Extra is nil it is computed from
	// Data the first time a selector or a rule needs it, on the worker evaluating the batch.
	Data     any
	enriched bool
	Time     time.Time // eventTime; orders the stateful sets
	Ref      Ref
	Top      *Top   // top-level members the caller already read, or nil
	seq      int64  // reading order: breaks ties between equal times
	skip     uint64 // rules (by index) not given this record: custom.once_per saw its combination
}

// Top holds top-level string members of a record its reader already found, so that selectors
// on them need not scan the record ("" means absent).
type Top struct {
	EventSource, EventName, ErrorCode string
	// The raw JSON of these members, nil when absent: selector paths inside them are read
	// from them without scanning the record.
	UserIdentity, RequestParameters, AdditionalEventData []byte
}

// Ref is what a finding says about its record.
type Ref struct {
	EventID   string `json:"eventID"`
	EventName string `json:"eventName"`
	File      string `json:"file"`
	Offset    int64  `json:"offset"`
	Principal string `json:"principal,omitempty"`
	Key       string `json:"key,omitempty"`
}

// AuditFinding is one finding of a trail rule.
type AuditFinding struct {
	ID        string    `json:"id"`
	Severity  string    `json:"severity"`
	Message   string    `json:"message"`
	EventTime time.Time `json:"eventTime"`
	Ref
	Count       int    `json:"count,omitempty"` // window findings: records in the window
	Resolved    bool   `json:"resolved,omitempty"`
	ResolvedBy  string `json:"resolvedBy,omitempty"` // the eventID that resolved it
	seq         int64
	resolvedAt  time.Time
	resolvedSeq int64
	resolveKey  string
	needs       string
	dedupe      string
}

// AuditStats counts what the Auditor did.
type AuditStats struct {
	Records   int64            `json:"records"`
	Evaluated map[string]int64 `json:"evaluated"` // by rule id: records its selectors picked
}

// AuditOptions tune an Auditor.
type AuditOptions struct {
	Disable   []string // rule ids not to run
	BatchSize int      // records per batch; 0 means 1,000
	Workers   int      // concurrent batches; 0 means GOMAXPROCS
	// Enrich computes an Item's Extra from its Data, lazily (see Item.Data). It may be called
	// from several goroutines at once.
	Enrich func(data any) (map[string]any, error)
}

type auditRule struct {
	*Rule
	query     rego.PreparedEvalQuery
	sets      []target        // the result sets it defines; pkg holds the query binding (x<i>)
	sel       []compiled      // Select with data.NAME patterns expanded
	fields    map[string]bool // the record members it can read (nil: all)
	fieldsKey string          // fields as a sorted list: rules with equal sets share conversions
	threshold int
	window    time.Duration
}

// point is a record a stateful set named.
type point struct {
	time    time.Time
	seq     int64
	ref     Ref
	message string
}

func (p point) before(q point) bool {
	if !p.time.Equal(q.time) {
		return p.time.Before(q.time)
	}
	return p.seq < q.seq
}

type auditState struct {
	findings []AuditFinding
	signals  map[[2]string][]point // (rule, group)
	resolves map[[2]string][]point // (rule, key)
	facts    map[[2]string]bool    // (rule, key)
	intern   map[string]string
}

func (st *auditState) internRef(r *Ref) {
	for _, s := range []*string{&r.EventName, &r.File, &r.Principal, &r.Key} {
		if v, ok := st.intern[*s]; ok {
			*s = v
		} else if len(st.intern) < 1<<16 {
			st.intern[*s] = *s
		}
	}
}

// NewAuditor prepares one query per rule. Rules without a deny, warn or signal set are helpers
// and are skipped.
func (e *Engine) NewAuditor(ctx context.Context, opts AuditOptions) (*Auditor, error) {
	a := &Auditor{e: e, size: opts.BatchSize, enrich: opts.Enrich}
	if a.size <= 0 {
		a.size = 1000
	}
	disabled := map[string]bool{}
	for _, id := range opts.Disable {
		disabled[id] = true
	}
	byPkg := map[string][]int{}
	for i, t := range e.targets {
		byPkg[t.pkg] = append(byPkg[t.pkg], i)
	}
	pkgs := make([]string, 0, len(byPkg))
	for p := range byPkg {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		r := e.rules[pkg]
		if r == nil {
			r = &Rule{ID: "user", Package: pkg, Severity: SeverityError}
		}
		if disabled[r.ID] || !configured(r.Requires, e.config) {
			continue
		}
		q, err := e.preparePackage(ctx, pkg, byPkg[pkg])
		if err != nil {
			return nil, err
		}
		ar := &auditRule{Rule: r, query: q, threshold: r.Threshold, window: r.Window}
		for _, sel := range r.Select {
			ar.sel = append(ar.sel, sel.expand(e.config).compile())
		}
		if e.fields != nil {
			ar.fields = e.fields[pkg]
			names := make([]string, 0, len(ar.fields))
			for f := range ar.fields {
				names = append(names, f)
			}
			sort.Strings(names)
			ar.fieldsKey = strings.Join(names, "\x00")
		}
		for _, i := range byPkg[pkg] {
			ar.sets = append(ar.sets, target{pkg: fmt.Sprintf("x%d", i), kind: e.targets[i].kind})
		}
		if err := ar.override(e.config); err != nil {
			return nil, err
		}
		a.rules = append(a.rules, ar)
	}
	if len(a.rules) > 64 {
		return nil, fmt.Errorf("failed to load rules: %d trail rules, at most 64 run at once", len(a.rules))
	}
	a.seen = make([]map[string]*onceCount, len(a.rules))
	a.firstOf = make([]map[int64]*onceCount, len(a.rules))
	for i, r := range a.rules {
		if len(r.OncePer) > 0 {
			a.seen[i], a.firstOf[i] = map[string]*onceCount{}, map[int64]*onceCount{}
		}
	}
	a.state = auditState{signals: map[[2]string][]point{}, resolves: map[[2]string][]point{}, facts: map[[2]string]bool{}}
	a.stats.Evaluated = map[string]int64{}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	a.work = make(chan []Item, workers)
	for range workers {
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			for b := range a.work {
				if err := a.evalBatch(ctx, b); err != nil {
					a.fail(err)
				}
			}
		}()
	}
	return a, nil
}

// override applies data.keytrail.config.thresholds[id] = {threshold, window}.
func (r *auditRule) override(config map[string]any) error {
	ths, _ := config["thresholds"].(map[string]any)
	o, ok := ths[r.ID].(map[string]any)
	if !ok {
		return nil
	}
	tmp := &Rule{}
	if err := tmp.trailMetadata(o); err != nil {
		return fmt.Errorf("--data thresholds.%s: %s", r.ID, strings.TrimPrefix(err.Error(), "custom."))
	}
	if tmp.Threshold > 0 {
		r.threshold = tmp.Threshold
	}
	if tmp.Window > 0 {
		r.window = tmp.Window
	}
	return nil
}

// Add queues one record. It returns the first evaluation error, after which the Auditor stops.
func (a *Auditor) Add(it Item) error {
	a.mu.Lock()
	err := a.err
	a.mu.Unlock()
	if err != nil {
		return err
	}
	it.seq = a.seq
	a.seq++
	a.once(&it)
	a.batch = append(a.batch, it)
	if len(a.batch) >= a.size {
		a.work <- a.batch
		a.batch = make([]Item, 0, a.size)
	}
	return nil
}

// evalBatch selects, converts and evaluates one batch, then merges its results.
func (a *Auditor) evalBatch(ctx context.Context, b []Item) error {
	picks := a.pick(b)
	terms := map[string][]*ast.Term{} // by rule package: converted on first use
	var st auditState
	st.signals, st.resolves, st.facts = map[[2]string][]point{}, map[[2]string][]point{}, map[[2]string]bool{}
	counts := make([]int64, len(a.rules))
	for r, rule := range a.rules {
		idx := picks[r]
		if len(idx) == 0 {
			continue
		}
		counts[r] = int64(len(idx))
		recs := make([]*ast.Term, len(idx))
		keep := rule.fields
		cache := terms[rule.fieldsKey]
		if cache == nil {
			cache = make([]*ast.Term, len(b))
			terms[rule.fieldsKey] = cache
		}
		for j, i := range idx {
			if cache[i] == nil {
				cache[i] = ast.NewTerm(recordValue(b[i].Raw, a.extra(&b[i]), keep))
			}
			recs[j] = cache[i]
		}
		input := ast.NewObject([2]*ast.Term{ast.StringTerm("records"), ast.ArrayTerm(recs...)})
		rs, err := rule.query.Eval(ctx, rego.EvalParsedInput(input))
		if err != nil {
			return fmt.Errorf("failed to evaluate trail rule %s: %w", rule.ID, err)
		}
		for _, res := range rs {
			for _, set := range rule.sets {
				for _, item := range asList(res.Bindings[set.pkg]) {
					if err := st.add(rule, set.kind, item, b, idx); err != nil {
						return err
					}
				}
			}
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stats.Records += int64(len(b))
	for r, n := range counts {
		a.stats.Evaluated[a.rules[r].ID] += n
	}
	a.state.merge(st)
	return nil
}

// extra returns the item's Extra, computing it with Enrich the first time. An Enrich error
// stops the audit (Add and Close return it); the item then has no Extra.
func (a *Auditor) extra(it *Item) map[string]any {
	if it.enriched || it.Extra != nil || a.enrich == nil {
		return it.Extra
	}
	it.enriched = true
	x, err := a.enrich(it.Data)
	if err != nil {
		a.fail(err)
		return nil
	}
	it.Extra = x
	if it.Ref.Principal == "" {
		it.Ref.Principal, _ = x["principal"].(string)
	}
	if it.Ref.Key == "" {
		it.Ref.Key, _ = x["key"].(string)
	}
	return x
}

func (a *Auditor) fail(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err == nil {
		a.err = err
	}
}

// recordValue is the record as Rego sees it: its JSON (the members named in keep, when not
// nil) with extra as member "keytrail".
func recordValue(raw []byte, extra map[string]any, keep map[string]bool) ast.Value {
	v := jsonValue(raw, keep)
	obj, ok := v.(ast.Object)
	if !ok {
		return v
	}
	if extra != nil {
		ev, err := toValue(extra)
		if err == nil {
			obj.Insert(ast.StringTerm("keytrail"), ast.NewTerm(ev))
		}
	}
	return obj
}

// add files one member of a rule's result set.
func (st *auditState) add(rule *auditRule, kind string, item any, b []Item, idx []int) error {
	m, ok := item.(map[string]any)
	if !ok {
		return fmt.Errorf("trail rule %s: a %s result must be an object with record and message, not %T", rule.ID, kind, item)
	}
	ri, ok := intOf(m["record"])
	if !ok || ri < 0 || ri >= len(idx) {
		return fmt.Errorf("trail rule %s: a %s result needs record, the index of a record in input.records (got %v)", rule.ID, kind, m["record"])
	}
	it := b[idx[ri]]
	p := point{time: it.Time, seq: it.seq, ref: it.Ref, message: strOf(m["message"])}
	if kind == "signal" && p.message == strOf(m["group"]) {
		p.message = "" // the group names what is counted: not kept once per record
	}
	key := strOf(m["key"])
	switch kind {
	case "signal":
		g := strOf(m["group"])
		if g == "" || rule.threshold == 0 {
			return fmt.Errorf("trail rule %s: a signal needs a group, and the rule a custom.threshold", rule.ID)
		}
		st.signals[[2]string{rule.ID, g}] = append(st.signals[[2]string{rule.ID, g}], p)
		return nil
	case "resolve", "fact":
		if key == "" {
			return fmt.Errorf("trail rule %s: a %s result needs a key", rule.ID, kind)
		}
		if kind == "fact" {
			st.facts[[2]string{rule.ID, key}] = true
		} else {
			st.resolves[[2]string{rule.ID, key}] = append(st.resolves[[2]string{rule.ID, key}], p)
		}
		return nil
	}
	// deny is an error and warn a warning unless the member says otherwise; the METADATA
	// severity is the rule's headline and its window findings' severity.
	f := AuditFinding{ID: rule.ID, Severity: SeverityError, Message: p.message, EventTime: it.Time, Ref: it.Ref, seq: it.seq,
		resolveKey: strOf(m["resolve_key"]), dedupe: strOf(m["dedupe"])}
	if kind == "warn" {
		f.Severity = SeverityWarning
	}
	if n, ok := m["needs"]; ok {
		if f.needs = strOf(n); f.needs == "" {
			return nil // needs a fact about nothing: never stated
		}
	}
	if s := strOf(m["severity"]); s != "" {
		f.Severity = s
	}
	if id := strOf(m["id"]); id != "" {
		f.ID = id
	}
	if s := strOf(m["principal"]); s != "" {
		f.Principal = s
	}
	if key != "" {
		f.Key = key
	}
	if f.Message == "" {
		return fmt.Errorf("trail rule %s: a %s result needs a message", rule.ID, kind)
	}
	if SeverityRank(f.Severity) == 0 {
		return fmt.Errorf("trail rule %s: invalid severity %q (expected error, warning or info)", rule.ID, f.Severity)
	}
	st.findings = append(st.findings, f)
	return nil
}

// merge adds a batch's state. The strings records share (event names, files, principals,
// keys) are interned: window rules keep one point per signalled record until Close.
func (st *auditState) merge(o auditState) {
	if st.intern == nil {
		st.intern = map[string]string{}
	}
	for i := range o.findings {
		st.internRef(&o.findings[i].Ref)
	}
	st.findings = append(st.findings, o.findings...)
	for k, v := range o.signals {
		for i := range v {
			st.internRef(&v[i].ref)
		}
		st.signals[k] = append(st.signals[k], v...)
	}
	for k, v := range o.resolves {
		st.resolves[k] = append(st.resolves[k], v...)
	}
	for k := range o.facts {
		st.facts[k] = true
	}
}

func intOf(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case float64:
		return int(n), float64(int(n)) == n
	case interface{ Int64() (int64, error) }:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}

func strOf(v any) string {
	s, _ := v.(string)
	return s
}

// preparePackage prepares the query of one package's result sets, once per Engine: Auditors
// made from the same Engine share them.
func (e *Engine) preparePackage(ctx context.Context, pkg string, idx []int) (rego.PreparedEvalQuery, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if q, ok := e.prepared[pkg]; ok {
		return q, nil
	}
	q, err := prepare(ctx, e.opts, e.targets, idx)
	if err != nil {
		return q, err
	}
	if e.prepared == nil {
		e.prepared = map[string]rego.PreparedEvalQuery{}
	}
	e.prepared[pkg] = q
	return q, nil
}
