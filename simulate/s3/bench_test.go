package s3

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/fixtures"
	"github.com/keytrail/keytrail/simulate/envelope"
)

// pattern is a body of left bytes that costs next to nothing to produce (no buffer of the
// object's size).
type pattern struct{ left int64 }

var patternBlock = bytes.Repeat([]byte("keytrail large object "), 4096)

func (p *pattern) Read(b []byte) (int, error) {
	if p.left == 0 {
		return 0, io.EOF
	}
	n := copy(b[:min(int64(len(b)), p.left)], patternBlock)
	p.left -= int64(n)
	return n, nil
}

// peakRSS is the process's peak resident set (VmHWM), in MiB, or 0 where /proc is absent.
func peakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkLargeObject puts and gets one SSE-KMS object through the full path (policy
// checks, KMS GenerateDataKey/Decrypt, envelope, spill file, authenticate-then-decrypt) next
// to raw AES-256-GCM sealing and opening the same bytes, and reports the peak RSS. Run one
// size per process to compare peaks: bench/s3-large.sh.
func BenchmarkLargeObject(b *testing.B) {
	for _, mib := range []int64{64, 256} {
		size := mib << 20
		b.Run("sse-kms-put-get/MiB="+strconv.FormatInt(mib, 10), func(b *testing.B) {
			s, _, _ := world(&testing.T{})
			s.SpillDir = b.TempDir()
			defer s.Close()
			signed := Request{Caller: principal(&testing.T{}, userK), SigV4: true, HTTPS: true}
			b.SetBytes(size)
			for b.Loop() {
				if _, err := s.PutObject(signed, "kms-bogo-test", "big", &pattern{left: size}, PutOptions{SSE: SSEKMS, KMSKeyID: fixtures.SeedAlias}); err != nil {
					b.Fatal(err)
				}
				if r, err := s.GetObject(signed, "kms-bogo-test", "big", io.Discard); err != nil || r.Size != size {
					b.Fatal(err)
				}
			}
			b.ReportMetric(peakRSS(), "peak-RSS-MiB")
		})
		b.Run("raw-gcm/MiB="+strconv.FormatInt(mib, 10), func(b *testing.B) {
			key := bytes.Repeat([]byte{7}, 32)
			blk, _ := aes.NewCipher(key)
			aead, _ := cipher.NewGCM(blk)
			nonce := make([]byte, 12)
			src := make([]byte, envelope.ChunkSize)
			out := make([]byte, 0, envelope.ChunkSize+16)
			pt := make([]byte, 0, envelope.ChunkSize)
			b.SetBytes(size)
			for b.Loop() {
				for i := int64(0); i < size/envelope.ChunkSize; i++ {
					out = aead.Seal(out[:0], nonce, src, nil)
					var err error
					if pt, err = aead.Open(pt[:0], nonce, out, nil); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(peakRSS(), "peak-RSS-MiB")
		})
	}
}
