package rules

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/tidwall/gjson"
)

// jsonValue converts raw JSON, already known to be valid, straight to a Rego value: going
// through Go maps and ast.InterfaceToValue costs several times more on CloudTrail volumes.
// With keep, an object's top-level members whose names keep lacks are left out.
func jsonValue(raw []byte, keep map[string]bool) ast.Value {
	r := gjson.ParseBytes(raw)
	if keep == nil || !r.IsObject() {
		return resultValue(r)
	}
	obj := ast.NewObject()
	r.ForEach(func(k, v gjson.Result) bool {
		if keep[k.Str] {
			obj.Insert(ast.StringTerm(k.Str), ast.NewTerm(resultValue(v)))
		}
		return true
	})
	return obj
}

func resultValue(r gjson.Result) ast.Value {
	switch r.Type {
	case gjson.String:
		return ast.String(r.Str)
	case gjson.Number:
		return ast.Number(r.Raw)
	case gjson.True:
		return ast.Boolean(true)
	case gjson.False:
		return ast.Boolean(false)
	case gjson.JSON:
		if r.IsArray() {
			var terms []*ast.Term
			r.ForEach(func(_, v gjson.Result) bool {
				terms = append(terms, ast.NewTerm(resultValue(v)))
				return true
			})
			return ast.NewArray(terms...)
		}
		obj := ast.NewObject()
		r.ForEach(func(k, v gjson.Result) bool {
			obj.Insert(ast.StringTerm(k.Str), ast.NewTerm(resultValue(v)))
			return true
		})
		return obj
	}
	return ast.Null{}
}
