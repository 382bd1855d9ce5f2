package trail

import (
	"errors"
	"strings"
	"testing"
)

func TestReadFormats(t *testing.T) {
	a, b, c := rec("id-a", "Decrypt", "1.0"), rec("id-b", "Encrypt", "1.09"), rec("id-c", "GenerateDataKey", "1.11")
	records := `{"Records":[` + a + `,` + b + `,` + c + `]}`
	tests := []struct {
		name   string
		in     string
		opts   Options
		want   string
		format Format
	}{
		{"records", records, Options{}, "Decrypt,Encrypt,GenerateDataKey", FormatRecords},
		{"records pretty", "{\n  \"Records\": [\n    " + a + ",\n    " + b + "\n  ]\n}\n", Options{}, "Decrypt,Encrypt", FormatRecords},
		{"records not first key", `{"other":{"Records":1},"Records":[` + a + `]}`, Options{}, "Decrypt", FormatRecords},
		{"records gzip", "", Options{}, "Decrypt,Encrypt,GenerateDataKey", FormatRecords},
		{"bom", "\ufeff" + records, Options{}, "Decrypt,Encrypt,GenerateDataKey", FormatRecords},
		{"concatenated records files", records + "\n" + `{"Records":[` + rec("id-d", "ReEncrypt", "1.08") + `]}`, Options{}, "Decrypt,Encrypt,GenerateDataKey,ReEncrypt", FormatRecords},
		{"lookup-events", `{"Events":[` + lookupEvent(a) + `,` + lookupEvent(b) + `],"NextToken":"t"}`, Options{}, "Decrypt,Encrypt", FormatLookup},
		{"jsonl", a + "\n" + b + "\n" + c + "\n", Options{}, "Decrypt,Encrypt,GenerateDataKey", FormatLines},
		{"single record", noType, Options{}, "DeleteKey", FormatLines},
		{"array", "[\n" + a + ",\n" + b + "\n]", Options{}, "Decrypt,Encrypt", FormatArray},
		{"eventbridge single", envelope(a), Options{}, "Decrypt", FormatLines},
		{"eventbridge lines", envelope(a) + "\n" + envelope(b) + "\n", Options{}, "Decrypt,Encrypt", FormatLines},
		{"eventbridge array", "[" + envelope(a) + "," + envelope(b) + "]", Options{}, "Decrypt,Encrypt", FormatArray},
		{"override lines", a + "\n" + b, Options{Format: FormatLines}, "Decrypt,Encrypt", FormatLines},
		{"override records", records, Options{Format: FormatRecords}, "Decrypt,Encrypt,GenerateDataKey", FormatRecords},
		{"override array", "[" + a + "]", Options{Format: FormatArray}, "Decrypt", FormatArray},
		{"override lookup", `{"Events":[` + lookupEvent(a) + `]}`, Options{Format: FormatLookup}, "Decrypt", FormatLookup},
		{"override eventbridge", envelope(a) + envelope(b), Options{Format: FormatEventBridge}, "Decrypt,Encrypt", FormatEventBridge},
		{"all versions", `[` + rec("1", "A", "1.0") + `,` + rec("2", "B", "1.01") + `,` + rec("3", "C", "1.02") + `,` + rec("4", "D", "1.03") + `,` +
			rec("5", "E", "1.04") + `,` + rec("6", "F", "1.05") + `,` + rec("7", "G", "1.06") + `,` + rec("8", "H", "1.07") + `,` +
			rec("9", "I", "1.08") + `,` + rec("10", "J", "1.09") + `,` + rec("11", "K", "1.10") + `,` + rec("12", "L", "1.11") + `]`,
			Options{}, "A,B,C,D,E,F,G,H,I,J,K,L", FormatArray},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if tt.name == "records gzip" {
				in = gz(t, records)
			}
			got, st, err := collect(t, in, tt.opts)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if names(got) != tt.want {
				t.Fatalf("got %q, want %q (stats %+v)", names(got), tt.want, st)
			}
			for _, r := range got {
				if r.Source.Format != tt.format {
					t.Errorf("%s: format %s, want %s", r.EventName, r.Source.Format, tt.format)
				}
				if r.Raw[0] != '{' || r.EventID == "" || r.EventSource != "kms.amazonaws.com" {
					t.Errorf("bad record %+v", r)
				}
			}
		})
	}
}

func TestRecordFieldsAndOffsets(t *testing.T) {
	a, b := rec("id-a", "Decrypt", "1.11"), rec("id-b", "Encrypt", "1.08")
	in := `{"Records": [` + a + `, ` + b + `]}`
	got, _, err := collect(t, in, Options{})
	if err != nil || len(got) != 2 {
		t.Fatalf("got %d records, err %v", len(got), err)
	}
	for i, want := range []string{a, b} {
		r := got[i]
		if string(r.Raw) != want {
			t.Errorf("raw %d differs:\n%s\n%s", i, r.Raw, want)
		}
		if off := strings.Index(in, want); r.Source.Offset != int64(off) || r.Source.Index != i {
			t.Errorf("record %d: offset %d index %d, want %d %d", i, r.Source.Offset, r.Source.Index, off, i)
		}
	}
	r := got[0]
	if r.EventID != "id-a" || r.EventVersion != "1.11" || r.EventTime.Format("2006-01-02T15:04:05Z") != "2025-10-27T00:01:13Z" {
		t.Errorf("fields: %+v", r)
	}
}

func TestLookupReadOnlyNormalized(t *testing.T) {
	inner := strings.Replace(rec("id-a", "Decrypt", "1.11"), `"readOnly":true`, `"readOnly" : "false"`, 1)
	got, _, err := collect(t, `{"Events":[`+lookupEvent(inner)+`]}`, Options{})
	if err != nil || len(got) != 1 {
		t.Fatalf("got %d, err %v", len(got), err)
	}
	want := strings.Replace(inner, `"readOnly" : "false"`, `"readOnly" : false`, 1)
	if string(got[0].Raw) != want {
		t.Errorf("raw:\n%s\nwant\n%s", got[0].Raw, want)
	}
}

func TestLookAlikesRejected(t *testing.T) {
	s3 := `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2025-01-01T00:00:00.000Z","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"}}}]}`
	digest := `{"awsAccountId":"111122223333","digestStartTime":"2025-01-01T00:00:00Z","digestEndTime":"2025-01-01T01:00:00Z","digestS3Bucket":"b","digestS3Object":"o","digestPublicKeyFingerprint":"abc","digestSignatureAlgorithm":"SHA256withRSA","logFiles":[]}`
	tests := []struct{ name, in, want string }{
		{"s3 notification", s3, "in.json: offset 12: S3 Event Notification"},
		{"digest", digest, "in.json: offset 0: found a CloudTrail digest file"},
		{"digest gzip", gz(t, digest), "CloudTrail digest file"},
		{"sns", `{"Type":"Notification","TopicArn":"arn","Message":"{}"}`, "SNS notification"},
		{"other object", `{"foo":1}`, "found an object with keys [foo]"},
		{"scalar", `42`, "expected a JSON object or array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := collect(t, tt.in, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrNotCloudTrail) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if len(got) != 0 {
				t.Errorf("records returned: %d", len(got))
			}
		})
	}
}

func TestFileErrors(t *testing.T) {
	a := rec("id-a", "Decrypt", "1.11")
	good := gz(t, `{"Records":[`+a+`]}`)
	tests := []struct {
		name, in string
		kind     error
		want     string
	}{
		{"truncated", `{"Records":[` + a, ErrInvalidJSON, "in.json: offset "},
		{"invalid", `{"Records":[` + a + ` ` + a + `]}`, ErrInvalidJSON, "invalid JSON"},
		{"unmatched", `{"Records":[` + a + `]]}`, ErrInvalidJSON, "invalid JSON"},
		{"empty", ``, ErrInvalidJSON, "in.json: offset 0: empty input"},
		{"corrupt gzip", good[:len(good)-12] + "xxxxxxxxxxxx", ErrRead, "failed to decompress gzip"},
		{"truncated gzip", good[:len(good)/2], ErrRead, "failed to decompress gzip"},
		{"bad gzip header", "\x1f\x8bxx", ErrRead, "in.json: offset 0: failed to read gzip header"},
		{"records not array", `{"Records":{}}`, ErrInvalidJSON, "expected Records to be an array"},
		{"override mismatch", `[` + a + `]`, ErrFormat, "expected a JSON object for format records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{}
			if tt.name == "override mismatch" {
				opts.Format = FormatRecords
			}
			_, _, err := collect(t, tt.in, opts)
			if err == nil || !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want %v containing %q", err, tt.kind, tt.want)
			}
		})
	}
}

func TestSkipsAndDuplicates(t *testing.T) {
	a := rec("id-a", "Decrypt", "1.11")
	noName := `{"eventSource":"kms.amazonaws.com","eventID":"n1"}`
	noBoth := `{"eventVersion":"1.1","eventID":"n2"}`
	numName := `{"eventSource":"kms.amazonaws.com","eventName":7}`
	in := `{"Records":[` + a + `,` + noName + `,` + a + `,"str",null,` + noBoth + `,` + numName + `,` + noType + `]}`
	got, st, err := collect(t, in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if names(got) != "Decrypt,DeleteKey" || st.Read != 8 || st.Parsed != 2 || st.Duplicates != 1 || st.Skipped != 5 {
		t.Fatalf("got %q, stats %+v", names(got), st)
	}
	want := []struct {
		sub    string
		reason string
		index  int
	}{
		{noName, "missing eventName", 1},
		{`"str"`, "not a JSON object", 3},
		{`null,{"eventVersion"`, "not a JSON object", 4},
		{noBoth, "missing eventName; missing eventSource", 5},
		{numName, "eventName is not a string", 6},
	}
	for i, w := range want {
		s := st.Skips[i]
		if s.Reason != w.reason || s.Index != w.index || s.Offset != int64(strings.Index(in, w.sub)) || s.File != "in.json" {
			t.Errorf("skip %d = %+v, want %q at %d index %d", i, s, w.reason, strings.Index(in, w.sub), w.index)
		}
	}
	if !strings.HasPrefix(st.Skips[0].String(), "in.json: offset ") {
		t.Errorf("skip string %q", st.Skips[0])
	}
}

func TestLookupSkips(t *testing.T) {
	in := `{"Events":[{"EventId":"x"},{"CloudTrailEvent":{}},{"CloudTrailEvent":"{bad"},{"CloudTrailEvent":"[]"}]}`
	_, st, err := collect(t, in, Options{})
	if err != nil || st.Skipped != 4 {
		t.Fatalf("stats %+v err %v", st, err)
	}
}

func TestCallbackErrorStops(t *testing.T) {
	stop := errors.New("stop")
	in := `[` + rec("a", "A", "1.1") + `,` + rec("b", "B", "1.1") + `]`
	n := 0
	_, err := Read(strings.NewReader(in), "x", Options{}, func(Record) error { n++; return stop })
	if err != stop || n != 1 {
		t.Fatalf("err %v n %d", err, n)
	}
}

func TestParseFormat(t *testing.T) {
	for f := FormatAuto; f <= FormatEventBridge; f++ {
		if g, err := ParseFormat(f.String()); err != nil || g != f {
			t.Errorf("%v: %v %v", f, g, err)
		}
	}
	if _, err := ParseFormat("csv"); err == nil {
		t.Error("csv accepted")
	}
}
