package catalog_test

import (
	"fmt"

	"github.com/keytrail/keytrail/policy/catalog"
)

func ExampleCatalog_Expand() {
	cat, err := catalog.Default()
	if err != nil {
		panic(err)
	}
	for _, a := range cat.Expand("kms:ReEncrypt*") {
		fmt.Println(a.FullName(), a.Access)
	}
	k, _ := cat.ConditionKey("kms:EncryptionContext:aws:s3:arn")
	fmt.Println(k.Key, k.Type)
	// Output:
	// kms:ReEncryptFrom Write
	// kms:ReEncryptTo Write
	// kms:EncryptionContext:${*} String
}
