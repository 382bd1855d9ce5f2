#!/bin/sh
# Large SSE-KMS objects through the simulator's full S3 path versus raw AES-256-GCM over the
# same bytes, one size per process so each peak RSS (VmHWM) is that size's alone.
# Target (issue 4): put+get throughput >= 0.7x raw GCM; peak RSS independent of object size.
# Usage: bench/s3-large.sh [benchtime]   (default 3x)
set -e
cd "$(dirname "$0")/.."
bt=${1:-3x}
go test -c -o /tmp/keytrail-s3.test ./simulate/s3
for mib in 64 256; do
	/tmp/keytrail-s3.test -test.run '^$' -test.benchtime "$bt" -test.bench "LargeObject/sse-kms-put-get/MiB=$mib\$" | grep Benchmark
	/tmp/keytrail-s3.test -test.run '^$' -test.benchtime "$bt" -test.bench "LargeObject/raw-gcm/MiB=$mib\$" | grep Benchmark
done
rm -f /tmp/keytrail-s3.test
