package cases

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/policy"
)

// TestFixtures runs every case under fixtures/cases through the runner keytrail test uses.
func TestFixtures(t *testing.T) {
	files, err := filepath.Glob("../../fixtures/cases/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files under fixtures/cases (err %v)", err)
	}
	total := 0
	for _, f := range files {
		cs, err := Load(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			total++
			t.Run(strings.TrimSuffix(filepath.Base(f), ".json")+"/"+c.ID, func(t *testing.T) {
				if c.Expect == "" && !c.ExpectError {
					t.Fatalf("case has no expectation: give expect or expectError")
				}
				if ok, why := c.Run().Check(); !ok {
					t.Error(why)
				}
			})
		}
	}
	if total < 200 {
		t.Errorf("only %d cases; the corpus must keep at least 200", total)
	}
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDecodeForms(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "key.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/a"},"Action":"kms:Decrypt","Resource":"*"}]}`)
	body := `{"id":"by-path","principal":"arn:aws:iam::111122223333:user/a","action":"kms:Decrypt",
	  "resource":"arn:aws:kms:us-east-1:111122223333:key/k","keyPolicy":"key.json","expect":"Allow"},
	 {"id":"by-string","principal":"arn:aws:iam::111122223333:user/a","action":"kms:Decrypt",
	  "resource":"arn:aws:kms:us-east-1:111122223333:key/k","keyPolicy":"{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}}","expect":"ExplicitDeny"},
	 {"id":"context-types","principal":"arn:aws:iam::111122223333:user/a","action":"kms:Decrypt",
	  "resource":"arn:aws:kms:us-east-1:111122223333:key/k","context":{"kms:GrantIsForAWSResource":true,"aws:TagKeys":["a","b"]},
	  "keyPolicy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/a"},"Action":"kms:Decrypt","Resource":"*",
	   "Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"},"ForAllValues:StringEquals":{"aws:TagKeys":["a","b","c"]}}}]},"expect":"Allow"}`
	for name, text := range map[string]string{
		"array.json":  "[" + body + "]",
		"object.json": `{"description":"x","cases":[` + body + `]}`,
	} {
		cs, err := Load(writeFile(t, dir, name, text))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(cs) != 3 {
			t.Fatalf("%s: got %d cases, want 3", name, len(cs))
		}
		for _, c := range cs {
			if ok, why := c.Run().Check(); !ok {
				t.Errorf("%s %s: %s", name, c.ID, why)
			}
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	for name, text := range map[string]string{
		"duplicate ids": `[{"id":"a","principal":"p","action":"x","resource":"*"},{"id":"a","principal":"p","action":"x","resource":"*"}]`,
		"not cases":     `{"Version":"2012-10-17"}`,
		"syntax":        "[\n {\"id\": }\n]",
		"null case":     `[null]`,
	} {
		if _, err := Decode(name, []byte(text)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	_, err := Decode("f.json", []byte("[\n {\"id\": }\n]"))
	if err == nil || !strings.Contains(err.Error(), "f.json: 2:") {
		t.Errorf("syntax error should name file and line: %v", err)
	}
}

func TestBuildErrors(t *testing.T) {
	for name, c := range map[string]*Case{
		"no principal":     {ID: "a", Action: "kms:Decrypt", Resource: "*"},
		"bad principal":    {ID: "a", Principal: "bob", Action: "kms:Decrypt", Resource: "*"},
		"both slots":       {ID: "a", Principal: "anonymous", Action: "s3:GetObject", Resource: "*", KeyPolicy: []byte(`{}`), ResourcePolicy: []byte(`{}`)},
		"missing file":     {ID: "a", Principal: "anonymous", Action: "s3:GetObject", Resource: "*", KeyPolicy: []byte(`"nope.json"`), File: "/nonexistent/x.json"},
		"bad time":         {ID: "a", Principal: "anonymous", Action: "s3:GetObject", Resource: "*", Time: "yesterday"},
		"bad context":      {ID: "a", Principal: "anonymous", Action: "s3:GetObject", Resource: "*", Context: map[string]any{"k": map[string]any{}}},
		"malformed policy": {ID: "a", Principal: "anonymous", Action: "s3:GetObject", Resource: "*", ResourcePolicy: []byte(`"{\"Statement\": ["`)},
	} {
		if _, _, err := c.Build(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestCheck(t *testing.T) {
	c := &Case{ID: "a", Principal: "anonymous", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Expect: "Allow"}
	if ok, why := c.Run().Check(); ok || !strings.Contains(why, "expected Allow, got ImplicitDeny") {
		t.Errorf("mismatch not reported: %v %q", ok, why)
	}
	c.Expect, c.ExpectError = "", true
	if ok, _ := c.Run().Check(); ok {
		t.Error("expectError on a valid case should fail")
	}
	c.Expect, c.ExpectError = "Maybe", false
	if ok, _ := c.Run().Check(); ok {
		t.Error("an invalid expect value should fail")
	}
}

func TestContextValues(t *testing.T) {
	// A number keeps its literal text: 123456789012 is an account id, not 1.23456789012e+11.
	cs, err := Decode("n.json", []byte(`[{"id":"n","principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resourceAccount":"111122223333",
	  "context":{"aws:SourceAccount":123456789012},
	  "identityPolicies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}],
	  "expect":"Allow"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := cs[0].Run().Check(); !ok {
		t.Error(why)
	}
	// Keys that differ only in case are one key: a case may not give both.
	c := &Case{ID: "dup", Principal: "anonymous", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k",
		Context: map[string]any{"aws:SourceIp": "10.0.0.1", "aws:sourceip": "192.0.2.1"}}
	if _, _, err := c.Build(); err == nil {
		t.Error("colliding context keys accepted")
	}
}

func TestNoExpectationFails(t *testing.T) {
	cs, err := Decode("typo.json", []byte(`[{"id":"t","principal":"anonymous","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","expcet":"Allow"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := cs[0].Run().Check(); ok {
		t.Error("a case with a misspelt expect passed")
	}
	if !IsCaseFile([]byte(`[{"ID":"x","Action":"s3:GetObject"}]`)) {
		t.Error("a case file with capitalized field names is not recognized")
	}
}

// TestMarshalPreservesDecisions: MarshalJSON's canonical form evaluates every request the same
// way. Each fixture case is decided again with every policy replaced by parse(marshal(policy)).
func TestMarshalPreservesDecisions(t *testing.T) {
	files, _ := filepath.Glob("../../fixtures/cases/*.json")
	checked := 0
	for _, f := range files {
		cs, err := Load(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			set, req, err := c.Build()
			if err != nil {
				continue
			}
			want := set.Evaluate(req)
			re := func(p *policy.Policy) *policy.Policy {
				if p == nil {
					return nil
				}
				data, err := p.MarshalJSON()
				if err != nil {
					t.Fatalf("%s: marshal %s: %v", c.ID, p.Name, err)
				}
				q, err := policy.Parse(p.Name, p.Kind, data)
				if err != nil {
					t.Fatalf("%s: reparse %s: %v\n%s", c.ID, p.Name, err, data)
				}
				return q
			}
			set.Resource, set.Boundary, set.Session, set.Endpoint = re(set.Resource), re(set.Boundary), re(set.Session), re(set.Endpoint)
			for i := range set.Identity {
				set.Identity[i] = re(set.Identity[i])
			}
			for _, lvls := range [][][]*policy.Policy{set.SCPs, set.RCPs} {
				for _, lvl := range lvls {
					for i := range lvl {
						lvl[i] = re(lvl[i])
					}
				}
			}
			got := set.Evaluate(req)
			if got.Outcome != want.Outcome || got.DependsOnMissingKeys != want.DependsOnMissingKeys {
				t.Errorf("%s: %v/%v after the round trip, %v/%v before", c.ID, got.Outcome, got.DependsOnMissingKeys, want.Outcome, want.DependsOnMissingKeys)
			}
			checked++
		}
	}
	if checked < 200 {
		t.Errorf("only %d cases checked", checked)
	}
}
