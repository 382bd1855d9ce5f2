package audit

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/trail"
)

// BenchmarkAudit audits the trail set in $KEYTRAIL_AUDIT_SET (a directory; bench/trail.sh
// builds one) with every built-in rule. Without it, the rule fixtures are audited.
func BenchmarkAudit(b *testing.B) {
	set := os.Getenv("KEYTRAIL_AUDIT_SET")
	if set == "" {
		set = "../../fixtures/trails"
	}
	ctx := context.Background()
	var n int
	for b.Loop() {
		au, err := New(ctx, Options{Disable: disabled(b)})
		if err != nil {
			b.Fatal(err)
		}
		st, err := trail.ReadPaths([]string{set}, trail.Options{}, au.Add)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := au.Close(); err != nil {
			b.Fatal(err)
		}
		n = st.Parsed
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// disabled reads $KEYTRAIL_AUDIT_DISABLE: rule ids separated by spaces ("all": every rule).
func disabled(b *testing.B) []string {
	v := os.Getenv("KEYTRAIL_AUDIT_DISABLE")
	if v != "all" {
		return strings.Fields(v)
	}
	au, err := New(context.Background(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	au.Close()
	var ids []string
	for _, r := range au.Rules() {
		ids = append(ids, r.ID)
	}
	return ids
}
