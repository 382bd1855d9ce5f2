package trail

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"
	"testing"
)

// rec builds a small valid record shaped per TRAIL-FORMATS.md §4.
func rec(id, name, version string) string {
	return fmt.Sprintf(`{"eventVersion":%q,"userIdentity":{"type":"AssumedRole","accountId":"111122223333","invokedBy":"AWS Internal"},`+
		`"eventTime":"2025-10-27T00:01:13Z","eventSource":"kms.amazonaws.com","eventName":%q,"awsRegion":"us-east-1",`+
		`"sourceIPAddress":"AWS Internal","requestParameters":{"keyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},`+
		`"responseElements":null,"eventID":%q,"readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"eventCategory":"Management"}`,
		version, name, id)
}

// noType is a KMS DeleteKey record whose userIdentity has no type.
const noType = `{"eventVersion":"1.11","userIdentity":{"accountId":"111122223333","invokedBy":"AWS Internal"},"eventTime":"2025-01-01T00:00:00Z",` +
	`"eventSource":"kms.amazonaws.com","eventName":"DeleteKey","eventID":"id-notype","unknownField":{"x":[1,2]}}`

func lookupEvent(record string) string {
	return fmt.Sprintf(`{"EventId":"x","EventName":"Decrypt","ReadOnly":"true","EventTime":"2025-10-27T00:01:13Z","EventSource":"kms.amazonaws.com","CloudTrailEvent":%q}`, record)
}

func envelope(record string) string {
	return `{"version":"0","id":"e1","detail-type":"AWS API Call via CloudTrail","source":"aws.kms","account":"111122223333","time":"2025-10-27T00:01:13Z","region":"us-east-1","resources":[],"detail":` + record + `}`
}

func gz(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// collect reads input and returns the records.
func collect(t testing.TB, input string, opts Options) ([]Record, Stats, error) {
	t.Helper()
	var got []Record
	st, err := Read(strings.NewReader(input), "in.json", opts, func(r Record) error {
		got = append(got, r)
		return nil
	})
	if st.Parsed+st.Skipped+st.Duplicates != st.Read {
		t.Fatalf("stats do not add up: %+v", st)
	}
	return got, st, err
}

func names(rs []Record) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.EventName)
	}
	return strings.Join(s, ",")
}
