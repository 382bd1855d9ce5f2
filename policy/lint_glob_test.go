package policy

import "testing"

// A resource type's ARN format overlaps a Resource entry when some ARN fits both; a bucket
// name, account or Region never holds a "/".
func TestPlaceholderGlobOverlap(t *testing.T) {
	const bucket = "arn:${Partition}:s3:::${BucketName}"
	const object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
	const key = "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}"
	for _, c := range []struct {
		format, resource string
		want             bool
	}{
		{bucket, "arn:aws:s3:::kt-data", true},
		{bucket, "arn:aws:s3:::kt-*", true},
		{bucket, "arn:aws:s3:::*", true},
		{bucket, "arn:aws:s3:::kt-data/*", false}, // s3:ListBucket on the objects: never matches
		{bucket, "arn:aws:s3:::kt-data/logs", false},
		{object, "arn:aws:s3:::kt-data/*", true},
		{object, "arn:aws:s3:::kt-data/a/b/c.txt", true},
		{object, "arn:aws:s3:::kt-data", false},
		{key, "arn:aws:kms:us-east-1:111122223333:key/*", true},
		{key, "arn:aws:kms:*:111122223333:key/1234", true},
		{key, "arn:aws:kms:us-east-1:111122223333:alias/x", false},
		{key, "arn:aws:kms:us/east:111122223333:key/1", false},
		{key, "*", true},
	} {
		if got := globOverlap(placeholderGlob(c.format), c.resource); got != c.want {
			t.Errorf("globOverlap(%s, %s) = %v, want %v", c.format, c.resource, got, c.want)
		}
	}
}
