package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/keytrail/keytrail/policy/catalog"
)

// version is set at release time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func runVersion(args []string, s *stdio) int {
	fs := newFlags("version", "\nUsage: keytrail version\n\nPrints keytrail's version, the Go version it was built with, and the date of the embedded\nAWS service authorization catalog (actions, resource types, condition keys).\n", s)
	if done, code := parseFlags(fs, args, s); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(s, "version", "version takes no arguments")
	}
	rev := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, kv := range bi.Settings {
			if kv.Key == "vcs.revision" && len(kv.Value) >= 12 {
				rev = " " + kv.Value[:12]
			}
		}
	}
	fmt.Fprintf(s.out, "keytrail %s%s (%s %s/%s)\n", version, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	cat, err := catalog.Default()
	if err != nil {
		return inputError(s, err)
	}
	fmt.Fprintf(s.out, "catalog: %s %s, AWS service authorization data of %s (%d services)\n", cat.Source, cat.Version, cat.Date, len(cat.Services))
	return exitOK
}
