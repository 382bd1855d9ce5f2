package policy

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// Request is one API call to decide.
type Request struct {
	Principal Principal
	Action    string // "kms:Decrypt"
	Resource  string // the resource ARN, or "*" for actions that take none
	// ResourceAccount is the account that owns the resource. When empty it is read from the
	// resource ARN; S3 ARNs carry none, so give it for buckets and objects.
	ResourceAccount string
	Context         Context
	// Time is the request time (aws:CurrentTime, aws:EpochTime); zero means the time of
	// evaluation. A value in Context wins.
	Time time.Time
}

// Context holds the request's context keys. Key names are case-insensitive. A request has a
// handful of keys, so they are kept in a list: no hashing, and nothing to allocate per lookup.
type Context struct {
	entries []contextEntry
}

type contextEntry struct {
	name   string // as given; compared without regard to case
	values []string
}

// isEncryptionContext reports a kms:EncryptionContext:<key> entry.
func (ce *contextEntry) isEncryptionContext() bool {
	return len(ce.name) > len(ecPrefix) && strings.EqualFold(ce.name[:len(ecPrefix)], ecPrefix)
}

// Set sets a context key to one or more values (several values make a multivalued key; no
// values make it present but empty, which conditions treat as absent).
func (c *Context) Set(key string, values ...string) {
	if ce := c.lookup(key); ce != nil {
		*ce = contextEntry{key, values}
		return
	}
	if c.entries == nil {
		c.entries = make([]contextEntry, 0, 4)
	}
	c.entries = append(c.entries, contextEntry{key, values})
}

// Reset removes every key, keeping the room they took: a caller deciding many requests can
// reuse one Request.
func (c *Context) Reset() {
	clear(c.entries)
	c.entries = c.entries[:0]
}

// Get returns the values of a key and whether it is set.
func (c *Context) Get(key string) ([]string, bool) {
	if ce := c.lookup(key); ce != nil {
		return ce.values, true
	}
	return nil, false
}

// lookup finds a key by name, in any case.
func (c *Context) lookup(key string) *contextEntry {
	for i := range c.entries {
		if strings.EqualFold(c.entries[i].name, key) {
			return &c.entries[i]
		}
	}
	return nil
}

// Keys returns the key names as given, sorted.
func (c *Context) Keys() []string {
	out := make([]string, 0, len(c.entries))
	for _, e := range c.entries {
		out = append(out, e.name)
	}
	sort.Strings(out)
	return out
}

// Len is the number of keys.
func (c *Context) Len() int { return len(c.entries) }

// values is the value of a context key as seen by conditions, without allocating.
type values struct {
	one    string
	single bool
	many   []string
}

func (v values) len() int {
	if v.single {
		return 1
	}
	return len(v.many)
}

func (v values) at(i int) string {
	if v.single {
		return v.one
	}
	return v.many[i]
}

func one(s string) values { return values{one: s, single: true} }

// env is the evaluation environment of one request.
type env struct {
	req             *Request
	resourceAccount string
	now             time.Time
	hasBoundary     bool
	kmsKey          bool // a KMS action on a KMS key: the key policy is required
	retireGrant     bool // kms:RetireGrant on a key
}

func newEnv(req *Request) env {
	e := env{req: req, resourceAccount: req.ResourceAccount, now: req.Time}
	parts, ok := arnSegments(req.Resource)
	if e.resourceAccount == "" && ok {
		e.resourceAccount = parts[4]
	}
	e.kmsKey = ok && kmsKeyRequest(req.Action, &parts)
	e.retireGrant = e.kmsKey && strings.EqualFold(req.Action[4:], "RetireGrant")
	return e
}

const ecPrefix = "kms:encryptioncontext:"

// get returns the values of a lower-cased key: the caller's, else the ones the evaluator
// derives from the request where AWS would supply them.
func (e *env) get(key string) values {
	if ce := e.req.Context.lookup(key); ce != nil {
		return values{many: ce.values}
	}
	p := &e.req.Principal
	hasAccount := p.Type != Anonymous && p.Type != Service
	switch key {
	case "aws:principalarn":
		if hasAccount {
			return one(p.PrincipalARN)
		}
	case "aws:principalaccount":
		switch {
		case hasAccount:
			return one(p.Account)
		case p.Type == Anonymous: // IAM: "For anonymous requests, the request context returns anonymous"
			return one("anonymous")
		}
	case "kms:calleraccount":
		if hasAccount {
			return one(p.Account)
		}
	case "aws:principaltype":
		if p.Type != Service { // AWS documents no value for service principals
			return one(p.Type.String())
		}
	case "aws:username":
		if p.Type == User {
			return one(p.Name)
		}
	case "aws:userid": // IAM's principal key values table, where the value is knowable
		switch p.Type {
		case Root:
			return one(p.Account)
		case FederatedUser:
			return one(p.Account + ":" + p.Name)
		case Anonymous:
			return one("anonymous")
		}
	case "aws:principalisawsservice": // "Anonymous requests do not include this key"
		switch p.Type {
		case Service:
			return one("true")
		case Anonymous:
		default:
			return one("false")
		}
	case "aws:principalservicename":
		if p.Type == Service {
			return one(p.ARN)
		}
	case "aws:resourceaccount":
		if e.resourceAccount != "" {
			return one(e.resourceAccount)
		}
	case "aws:currenttime":
		return one(e.time().UTC().Format(time.RFC3339))
	case "aws:epochtime":
		return one(strconv.FormatInt(e.time().Unix(), 10))
	case "kms:encryptioncontextkeys":
		var keys []string
		for _, ce := range e.req.Context.entries {
			if ce.isEncryptionContext() {
				keys = append(keys, ce.name[len(ecPrefix):])
			}
		}
		sort.Strings(keys)
		return values{many: keys}
	}
	return values{}
}

func (e *env) time() time.Time {
	if e.now.IsZero() {
		e.now = time.Now().UTC()
	}
	return e.now
}

// encryptionContext calls f for each kms:EncryptionContext:<key> entry of the request, with
// the key as given (after the prefix) and its first value.
func (e *env) encryptionContext(f func(key, value string) bool) {
	for _, ce := range e.req.Context.entries {
		if ce.isEncryptionContext() && len(ce.values) > 0 {
			if !f(ce.name[len(ecPrefix):], ce.values[0]) {
				return
			}
		}
	}
}
