package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at release time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func runVersion(args []string, s *stdio) int {
	fs := newFlags("version", "\nUsage: keytrail version\n\nPrints keytrail's version and the Go version it was built with.\n", s)
	if done, code := parseFlags(fs, args, s); done {
		return code
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
	return exitOK
}
