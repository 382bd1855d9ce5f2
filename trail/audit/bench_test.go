package audit

import (
	"context"
	"os"
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
		au, err := New(ctx, Options{})
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
