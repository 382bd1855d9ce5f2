package trail

import (
	"errors"
	"fmt"
)

// Stats accounts for every record candidate seen: Read == Parsed + Skipped +
// Duplicates always holds.
type Stats struct {
	Files        int // inputs opened (files and stdin)
	FilesIgnored int // files in walked directories whose names are not JSON-like

	Read       int // record candidates seen
	Parsed     int // records handed to the callback
	Duplicates int // records dropped because their eventID was already seen
	Skipped    int // candidates that are not usable records; see Skips

	Skips      []Skip
	FileErrors []FileError // only filled with Options.KeepGoing
}

// Skip says why one candidate was not returned as a record.
type Skip struct {
	File   string
	Offset int64
	Index  int
	Reason string
}

func (s Skip) String() string {
	return fmt.Sprintf("%s: offset %d: record %d skipped: %s", s.File, s.Offset, s.Index, s.Reason)
}

// FileError is an input that could not be read to the end. Records before
// the failure point were already handed to the callback.
type FileError struct {
	File string
	Err  error
}

// Sentinel kinds for errors.Is on *Error.
var (
	// ErrNotCloudTrail marks look-alike inputs: S3 Event Notifications,
	// digest files, SNS notifications and other JSON that holds no records.
	ErrNotCloudTrail = errors.New("not CloudTrail records")
	// ErrInvalidJSON marks truncated or malformed JSON.
	ErrInvalidJSON = errors.New("invalid JSON")
	// ErrRead marks I/O and gzip failures.
	ErrRead = errors.New("read failure")
	// ErrFormat marks input that does not match Options.Format.
	ErrFormat = errors.New("format mismatch")
)

// Error is a file-level failure: "file: offset N: message".
type Error struct {
	File   string
	Offset int64 // -1 when unknown
	Msg    string
	Kind   error // one of the Err* sentinels
	Err    error // underlying cause, if any
}

func (e *Error) Error() string {
	s := e.File + ": "
	if e.Offset >= 0 {
		s += fmt.Sprintf("offset %d: ", e.Offset)
	}
	s += e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches the error's kind sentinel.
func (e *Error) Is(target error) bool { return e.Kind != nil && target == e.Kind }

// callbackError wraps an error returned by the caller's callback so it is
// passed through unchanged and never treated as a file error.
type callbackError struct{ err error }

func (c *callbackError) Error() string { return c.err.Error() }
func (c *callbackError) Unwrap() error { return c.err }
