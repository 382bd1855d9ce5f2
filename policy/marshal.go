package policy

import (
	"bytes"
	"encoding/json"
)

// MarshalJSON writes the policy in a canonical form: elements in a fixed order, Statement
// always an array, single values as arrays, condition values as strings. Parsing the output
// gives a policy that evaluates every request the same way.
func (p *Policy) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	field := func(name string, v any) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteByte(':')
		enc, _ := marshalNoEscape(v)
		b.Write(enc)
	}
	if p.Version != "" {
		field("Version", p.Version)
	}
	if p.ID != "" {
		field("Id", p.ID)
	}
	stmts := make([]json.RawMessage, 0, len(p.Statements))
	for _, s := range p.Statements {
		enc, err := s.marshal()
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, enc)
	}
	field("Statement", stmts)
	b.WriteByte('}')
	return b.Bytes(), nil
}

func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

type kv struct {
	k string
	v any
}

// orderedObject marshals its members in order.
type orderedObject []kv

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshalNoEscape(m.k)
		if err != nil {
			return nil, err
		}
		v, err := marshalNoEscape(m.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (s *Statement) marshal() ([]byte, error) {
	var o orderedObject
	if s.Sid != "" {
		o = append(o, kv{"Sid", s.Sid})
	}
	o = append(o, kv{"Effect", s.Effect.String()})
	if s.principal != nil {
		name := "Principal"
		if s.notPrincipal {
			name = "NotPrincipal"
		}
		o = append(o, kv{name, s.principal.marshal()})
	}
	name := "Action"
	if s.notAction {
		name = "NotAction"
	}
	o = append(o, kv{name, s.actionText})
	res := make([]string, len(s.resources))
	for i, r := range s.resources {
		res[i] = r.text
	}
	name = "Resource"
	if s.notResource {
		name = "NotResource"
	}
	o = append(o, kv{name, res})
	if len(s.conditions) > 0 {
		var ops orderedObject
		index := map[string]int{}
		for _, c := range s.conditions {
			vals := make([]string, len(c.values))
			for i, v := range c.values {
				vals[i] = v.pat.text
			}
			i, ok := index[c.op]
			if !ok {
				i = len(ops)
				index[c.op] = i
				ops = append(ops, kv{c.op, orderedObject{}})
			}
			ops[i].v = append(ops[i].v.(orderedObject), kv{c.key, vals})
		}
		o = append(o, kv{"Condition", ops})
	}
	return o.MarshalJSON()
}

func (ps *principalSet) marshal() any {
	if ps.any && len(ps.entries) == 0 {
		return "*"
	}
	var o orderedObject
	byType := map[string][]string{}
	if ps.any {
		byType["AWS"] = []string{"*"}
	}
	for _, e := range ps.entries {
		byType[e.typ] = append(byType[e.typ], e.text)
	}
	for _, t := range []string{"AWS", "Service", "Federated", "CanonicalUser"} {
		if v, ok := byType[t]; ok {
			o = append(o, kv{t, v})
		}
	}
	return o
}
