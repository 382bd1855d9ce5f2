package simulate

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/keytrail/keytrail/simulate/s3"
)

// BenchmarkPutGet4KiB runs SSE-KMS put+get flows of 4 KiB objects through the full path:
// S3 and KMS authorization by the policy evaluator, data keys, the envelope, and CloudTrail
// records (compare: bench/simulate-vs-moto.sh).
func BenchmarkPutGet4KiB(b *testing.B) {
	w, _, err := SeedWalkthrough(1)
	if err != nil {
		b.Fatal(err)
	}
	rec := w.Record()
	k := w.Identity(UserK)
	req := s3.Request{Caller: k.Principal, SigV4: true, HTTPS: true}
	body := bytes.Repeat([]byte("x"), 4096)
	var out bytes.Buffer
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		key := fmt.Sprintf("obj-%d", i%1024)
		i++
		if _, err := w.S3.PutObject(req, SeedBucket, key, bytes.NewReader(body), s3.PutOptions{SSE: s3.SSEKMS, KMSKeyID: "alias/myFirstKey"}); err != nil {
			b.Fatal(err)
		}
		out.Reset()
		if _, err := w.S3.GetObject(req, SeedBucket, key, &out); err != nil {
			b.Fatal(err)
		}
		if len(rec.Records) > 100000 {
			rec.Records = rec.Records[:0]
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
}
