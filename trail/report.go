package trail

// Report is a summary as `keytrail trail summary -o json` prints it, and as summary fixtures
// (NAME.summary.json beside a trail file) expect it.
type Report struct {
	Records    int           `json:"records"`
	KMSRecords int           `json:"kmsRecords"`
	S3Records  int           `json:"s3Records"`
	By         Dim           `json:"by"`
	KMS        []Usage       `json:"kms"`
	S3         []BucketUsage `json:"s3"`
}

// Report returns the summary's counts with the usage grouped and sorted by by.
func (s *Summary) Report(by Dim) Report {
	return Report{s.Records, s.KMSRecords, s.S3Records, by, s.Usage(by), s.Buckets()}
}
