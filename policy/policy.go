// Package policy is the AWS IAM policy language: a document model that keeps source positions,
// a strict parser, wildcard and ARN matching, condition operators, policy variables, and
// Evaluate, which decides a request the way AWS documents it, KMS key policies and grants
// included, and says why.
package policy

import (
	"fmt"
	"strings"
)

// Kind is the kind of a policy document; it decides which elements a statement must have.
type Kind uint8

// The policy kinds.
const (
	// Identity policies (attached to users, groups, roles), permission boundaries and session
	// policies: no Principal.
	Identity Kind = iota
	// Resource policies (bucket policies and other resource-based policies): Principal required.
	Resource
	// SCP is a service control policy: no Principal.
	SCP
	// RCP is a resource control policy: Principal required.
	RCP
	// Endpoint is a VPC endpoint policy: Principal required.
	Endpoint
	// Key is a KMS key policy: a resource policy with KMS's own rules (it rejects ForAllValues
	// on kms:EncryptionContext:* and aws:RequestTag/*).
	Key
)

var kindNames = [...]string{"identity", "resource", "scp", "rcp", "endpoint", "key"}

func (k Kind) String() string { return kindNames[k] }

func (k Kind) needsPrincipal() bool { return k == Resource || k == RCP || k == Endpoint || k == Key }

// The two policy language versions.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Position is a place in a policy file: 1-based line and column (in characters).
type Position struct {
	Line, Col int
}

func (p Position) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Error is an invalid-policy error with its position.
type Error struct {
	File string
	Pos  Position
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Pos.Line > 0 {
		b.WriteString(e.Pos.String())
		b.WriteByte(':')
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Effect is a statement's effect.
type Effect uint8

// The effects.
const (
	EffectAllow Effect = iota
	EffectDeny
)

func (e Effect) String() string {
	if e == EffectDeny {
		return "Deny"
	}
	return "Allow"
}

// Policy is a parsed, compiled policy document. It is immutable and safe for concurrent use.
type Policy struct {
	Name       string // a label for reasons: a file name, "identity[0]", "scp[1][0]"
	Kind       Kind
	Version    string // as written; "" when absent
	ID         string
	Statements []*Statement
}

// variables reports whether policy variables are expanded (Version 2012-10-17 only).
func (p *Policy) variables() bool { return p.Version == Version2012 }

// Statement is one compiled statement.
type Statement struct {
	Policy *Policy
	Index  int // 0-based position in the Statement array
	Sid    string
	Effect Effect
	Pos    Position

	principal    *principalSet // nil when the statement has neither Principal nor NotPrincipal
	notPrincipal bool
	actions      []string // lower-cased patterns
	actionKinds  []patternKind
	actionText   []string // as written
	notAction    bool
	resources    []pattern
	notResource  bool
	conditions   []*condition
}

// Name names the statement in messages: its Sid when it has one, else its index.
func (s *Statement) Name() string {
	if s.Sid != "" {
		return s.Sid
	}
	return fmt.Sprintf("#%d", s.Index)
}

// Ref describes the statement for reports: `policy statement "Sid" (file:line:col)`.
func (s *Statement) Ref() string {
	name := fmt.Sprintf("statement %q", s.Sid)
	if s.Sid == "" {
		name = fmt.Sprintf("statement %d", s.Index)
	}
	return fmt.Sprintf("%s %s (%s)", s.Policy.Name, name, s.Pos)
}

// HasCondition reports whether the statement has a Condition block with at least one test.
func (s *Statement) HasCondition() bool { return len(s.conditions) > 0 }
