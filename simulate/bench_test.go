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
	f := newFlows(b)
	b.ReportAllocs()
	for b.Loop() {
		f.flow(b)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
}

// BenchmarkPutGet4KiBParallel runs the same flows on every core, each goroutine in its own
// simulated world (a World is not shared between goroutines).
func BenchmarkPutGet4KiBParallel(b *testing.B) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		f := newFlows(b)
		for pb.Next() {
			f.flow(b)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
}

// flows is one world putting and getting 4 KiB SSE-KMS objects as user K.
type flows struct {
	w    *World
	rec  *Recorder
	req  s3.Request
	body []byte
	keys []string // the objects' names, made beforehand
	out  bytes.Buffer
	i    int
}

func newFlows(b *testing.B) *flows {
	w, _, err := SeedWalkthrough(1)
	if err != nil {
		b.Fatal(err)
	}
	k := w.Identity(UserK)
	f := &flows{w: w, rec: w.Record(), req: s3.Request{Caller: k.Principal, SigV4: true, HTTPS: true}, body: bytes.Repeat([]byte("x"), 4096)}
	for i := range 1024 {
		f.keys = append(f.keys, fmt.Sprintf("obj-%d", i))
	}
	return f
}

func (f *flows) flow(b *testing.B) {
	key := f.keys[f.i%len(f.keys)]
	f.i++
	if _, err := f.w.S3.PutObject(f.req, SeedBucket, key, bytes.NewReader(f.body), s3.PutOptions{SSE: s3.SSEKMS, KMSKeyID: "alias/myFirstKey"}); err != nil {
		b.Fatal(err)
	}
	f.out.Reset()
	if _, err := f.w.S3.GetObject(f.req, SeedBucket, key, &f.out); err != nil {
		b.Fatal(err)
	}
	if len(f.rec.Records) > 100000 {
		f.rec.Records = f.rec.Records[:0]
	}
}
