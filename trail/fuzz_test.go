package trail

import (
	"bytes"
	"strings"
	"testing"
)

func FuzzRead(f *testing.F) {
	a, b := rec("id-a", "Decrypt", "1.11"), rec("id-b", "Encrypt", "1.0")
	for _, s := range []string{
		`{"Records":[` + a + `,` + b + `,` + a + `]}`,
		`{"Events":[` + lookupEvent(a) + `,{"CloudTrailEvent":"{}"}]}`,
		a + "\n" + b + "\n",
		`[` + a + `,1,null,` + noType + `]`,
		envelope(a) + "\n" + envelope(b),
		`[` + envelope(a) + `]`,
		`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put"}]}`,
		`{"digestStartTime":"x","logFiles":[]}`,
		gz(f, `{"Records":[`+a+`]}`),
		"\ufeff[" + a + "]",
		`{"Records":[` + a,
	} {
		for fm := FormatAuto; fm <= FormatEventBridge; fm++ {
			f.Add([]byte(s), uint8(fm))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, fm uint8) {
		opts := Options{Format: Format(fm % uint8(FormatEventBridge+1))}
		st, err := Read(bytes.NewReader(data), "fuzz", opts, func(r Record) error {
			if len(r.Raw) == 0 || r.Raw[0] != '{' || r.EventName == "" || r.EventSource == "" {
				t.Fatalf("bad record %+v", r)
			}
			return nil
		})
		if st.Parsed+st.Skipped+st.Duplicates != st.Read {
			t.Fatalf("stats do not add up: %+v", st)
		}
		if st.Skipped != len(st.Skips) {
			t.Fatalf("skips %d != %d", st.Skipped, len(st.Skips))
		}
		if err != nil && (!strings.HasPrefix(err.Error(), "fuzz: ") || strings.Contains(err.Error(), "\n")) {
			t.Fatalf("error not one line naming the file: %q", err)
		}
	})
}
