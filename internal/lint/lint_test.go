package lint

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/keytrail/keytrail/fixtures"
	"github.com/keytrail/keytrail/policy"
	"github.com/keytrail/keytrail/rules"
)

// TestFixtures runs every lint fixture under fixtures/lint through the runner keytrail test uses.
func TestFixtures(t *testing.T) {
	files, err := filepath.Glob("../../fixtures/lint/*/*" + ExpectedSuffix)
	if err != nil || len(files) == 0 {
		t.Fatalf("no lint fixtures (err %v)", err)
	}
	var fx Fixtures
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ExpectedSuffix), func(t *testing.T) {
			ok, why, err := fx.Run(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				t.Error(why)
			}
		})
	}
}

func newLinter(t testing.TB, typ policy.LintType, opt Options) *Linter {
	t.Helper()
	opt.Type = typ
	l, err := New(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestSeedPolicy: the console policy of the seed yields only admin-can-use-key and
// condition-bypassed, both info (the quality bar).
func TestSeedPolicy(t *testing.T) {
	fs, err := newLinter(t, policy.LintKey, Options{}).Lint(context.Background(), "seed.json", fixtures.SeedKeyPolicy)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.ID+"/"+f.Severity+"/"+fmt.Sprint(f.Statement))
	}
	want := "admin-can-use-key/info/Allow use of the key condition-bypassed/info/Allow attachment of persistent resources"
	if strings.Join(got, " ") != want {
		t.Errorf("got %v", got)
	}
}

func TestSubsumptionDisableSeverity(t *testing.T) {
	p := []byte(`{"Version":"2012-10-17","Statement":[
	  {"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/admin"},"Action":"kms:*","Resource":"*"},
	  {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`)
	ids := func(fs []rules.Finding) string {
		var out []string
		for _, f := range fs {
			out = append(out, f.ID+"="+f.Severity)
		}
		return strings.Join(out, ",")
	}
	// kms-star-non-root replaces admin-can-use-key on the same statement.
	fs, _ := newLinter(t, policy.LintKey, Options{}).Lint(context.Background(), "p.json", p)
	if got := ids(fs); got != "kms-star-non-root=warning" {
		t.Errorf("default: %s", got)
	}
	// Disabling the replacing check brings the replaced one back; severities are overridable.
	fs, _ = newLinter(t, policy.LintKey, Options{Disable: []string{"kms-star-non-root"}, Severity: map[string]string{"admin-can-use-key": "error"}}).Lint(context.Background(), "p.json", p)
	if got := ids(fs); got != "admin-can-use-key=error" {
		t.Errorf("disabled: %s", got)
	}
	for _, opt := range []Options{{Disable: []string{"no-such-check"}}, {Severity: map[string]string{"allow-all": "fatal"}}} {
		opt.Type = policy.LintKey
		if _, err := New(context.Background(), opt); err == nil {
			t.Errorf("%+v accepted", opt)
		}
	}
}

// BenchmarkLintDir lints 1,000 generated key policies on every core (target ≥ 2,000/s).
func BenchmarkLintDir(b *testing.B) {
	l := newLinter(b, policy.LintKey, Options{})
	var docs [][]byte
	for i := 0; i < 1000; i++ {
		docs = append(docs, []byte(fmt.Sprintf(`{"Version":"2012-10-17","Id":"p%d","Statement":[
		  {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%012d:root"},"Action":"kms:*","Resource":"*"},
		  {"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%012d:role/admin%d"},"Action":["kms:Create*","kms:Describe*","kms:Enable*","kms:List*","kms:Put*","kms:Update*","kms:Revoke*","kms:Disable*","kms:Get*","kms:Delete*","kms:TagResource","kms:UntagResource","kms:ScheduleKeyDeletion","kms:CancelKeyDeletion"],"Resource":"*"},
		  {"Sid":"Users","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%012d:role/app%d"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"},
		  {"Sid":"Grants","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%012d:role/app%d"},"Action":["kms:CreateGrant","kms:ListGrants","kms:RevokeGrant"],"Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}}]}`,
			i, i, i, i, i, i, i, i)))
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		next := make(chan []byte)
		for w := 0; w < runtime.GOMAXPROCS(0); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for d := range next {
					if _, err := l.Lint(ctx, "p.json", d); err != nil {
						b.Error(err)
					}
				}
			}()
		}
		for _, d := range docs {
			next <- d
		}
		close(next)
		wg.Wait()
	}
	b.ReportMetric(float64(len(docs)*b.N)/b.Elapsed().Seconds(), "policies/s")
}

// bigPolicy is a 1 MB identity policy of about 5,000 statements.
func bigPolicy() []byte {
	var sb strings.Builder
	sb.WriteString(`{"Version":"2012-10-17","Statement":[`)
	for i := 0; sb.Len() < 1<<20; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"Sid":"S%d","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket-%d/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc%d"}}}`, i, i, i)
	}
	sb.WriteString("]}")
	return []byte(sb.String())
}

// BenchmarkLint1MB lints one 1 MB identity policy (target < 0.5 s).
func BenchmarkLint1MB(b *testing.B) {
	doc := bigPolicy()
	l := newLinter(b, policy.LintIdentity, Options{})
	b.ResetTimer()
	for b.Loop() {
		if _, err := l.Lint(context.Background(), "big.json", doc); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLoadIgnore(t *testing.T) {
	dir := t.TempDir()
	write := func(text string) string {
		p := filepath.Join(dir, "ignore.yaml")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sups, err := LoadIgnore(write("- path: \"keys/*.json\"\n  check: wildcard-principal\n  statement: Everyone\n  reason: reviewed\n"))
	if err != nil || len(sups) != 1 {
		t.Fatalf("%v %v", sups, err)
	}
	fs := []rules.Finding{
		{ID: "wildcard-principal", File: "keys/a.json", Statement: "Everyone"},
		{ID: "wildcard-principal", File: "keys/a.json", Statement: "Other"},
		{ID: "public-decrypt", File: "keys/a.json", Statement: "Everyone"},
		{ID: "wildcard-principal", File: "other/a.json", Statement: "Everyone"},
	}
	if n := Suppress(fs, sups); n != 1 || !fs[0].Suppressed || fs[0].Justification != "reviewed" {
		t.Errorf("suppressed %d: %+v", n, fs)
	}
	for _, bad := range []string{
		"- path: x.json\n  check: allow-all\n",                        // no reason
		"- check: allow-all\n  reason: r\n",                           // no path
		"- path: x.json\n  check: allow-all\n  reason: r\n  why: x\n", // unknown field
		"path: x.json\n", // not a list
		"- path: \"[\"\n  check: allow-all\n  reason: r\n", // bad glob
	} {
		if _, err := LoadIgnore(write(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
