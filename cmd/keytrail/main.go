// Command keytrail answers questions about AWS KMS keys: who can use them, whether their
// policies are safe, and what CloudTrail says happened to them.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
