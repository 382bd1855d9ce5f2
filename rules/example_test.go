package rules_test

import (
	"context"
	"fmt"

	"github.com/keytrail/keytrail/rules"
)

func ExampleEngine_Eval() {
	e, err := rules.New(context.Background(), "lint", nil)
	if err != nil {
		panic(err)
	}
	input := map[string]any{"type": "bucket", "statements": []any{map[string]any{
		"ref": "Everyone", "line": 3, "col": 5, "effect": "Allow",
		"principal": map[string]any{"not": true, "wildcard": false},
	}}}
	findings, err := e.Eval(context.Background(), input, "key.json")
	if err != nil {
		panic(err)
	}
	for _, f := range findings {
		fmt.Println(f.ID, f.Severity, f.Statement)
	}
	// Output:
	// notprincipal-allow error Everyone
}
