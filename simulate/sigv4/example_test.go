package sigv4_test

import (
	"fmt"
	"time"

	"github.com/keytrail/keytrail/simulate/sigv4"
)

func ExamplePresignS3() {
	u, err := sigv4.PresignS3(sigv4.S3URL{Region: "us-east-1", Bucket: "kms-bogo-test", Key: "eiffel.png"}, "GET",
		sigv4.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
		time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC), time.Hour)
	if err != nil {
		panic(err)
	}
	fmt.Println(u)
	// Output:
	// https://kms-bogo-test.s3.amazonaws.com/eiffel.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261129%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261129T120000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=003543c729589938aec57ed126692f8cfa0ec0e4b0fab7fb28499ba97544f043
}
