package simulate

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"slices"
	"strconv"
)

// Records are written straight into bytes, member by member in CloudTrail's order: no maps,
// no reflection, and the members' names are constants written with their punctuation.

// appendString writes s as a JSON string, escaped as encoding/json escapes it (control
// characters, '"', '\\', the HTML characters "<>&", and any non-ASCII text).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendStringBody(b, s)
	return append(b, '"')
}

// appendStringBody writes s escaped, without the quotes: parts of one JSON string can be
// written one after another. Eight bytes are checked at a time; a string that needs escaping
// goes through encoding/json.
func appendStringBody(b []byte, s string) []byte {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if needsEscape(x) {
			return appendEscaped(b, s)
		}
	}
	for ; i < len(s); i++ {
		if !plainJSON[s[i]] {
			return appendEscaped(b, s)
		}
	}
	return append(b, s...)
}

func appendEscaped(b []byte, s string) []byte {
	enc, _ := json.Marshal(s)
	return append(b, enc[1:len(enc)-1]...)
}

// quoted caches the JSON form of the few strings that recur record after record in one
// member (user agents, source addresses: a client's and "AWS Internal"); finding one again
// costs a pointer comparison.
type quoted struct {
	s    [2]string
	json [2][]byte
	next int
}

func (q *quoted) append(b []byte, s string) []byte {
	for i := range q.s {
		if q.json[i] != nil && q.s[i] == s {
			return append(b, q.json[i]...)
		}
	}
	i := q.next
	q.s[i], q.json[i], q.next = s, appendString(nil, s), (i+1)%len(q.s)
	return append(b, q.json[i]...)
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasByte reports whether any byte of x is c.
func hasByte(x uint64, c byte) bool {
	v := x ^ (ones * uint64(c))
	return (v-ones)&^v&highs != 0
}

// needsEscape reports whether any of the eight bytes of x is not a plainJSON byte.
func needsEscape(x uint64) bool {
	if x&highs != 0 || (x-ones*0x20)&^x&highs != 0 { // non-ASCII, or a control character
		return true
	}
	return hasByte(x, '"') || hasByte(x, '\\') || hasByte(x, '<') || hasByte(x, '>') || hasByte(x, '&') || hasByte(x, 0x7f)
}

// plainJSON marks the bytes a JSON string holds as they are (as encoding/json writes them:
// printable ASCII but '"', '\\' and the HTML characters it escapes).
var plainJSON = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

// appendMember writes `,"name":` then the string v (name is written as given: a constant).
func appendMember(b []byte, name, v string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, v)
}

// appendContext writes an encryption context as a JSON object, its keys sorted.
func appendContext(b []byte, ec map[string]string) []byte {
	var buf [8]string
	keys := buf[:0]
	for k := range ec {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, ec[k])
	}
	return append(b, '}')
}

// appendStrings writes a JSON array of strings.
func appendStrings(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendUUID writes a quoted version-4 UUID drawn from the world's source.
func (r *Recorder) appendUUID(b []byte) []byte {
	u := r.random[:16]
	io.ReadFull(r.w.Rand, u)
	u[6], u[8] = u[6]&0x0f|0x40, u[8]&0x3f|0x80
	var out [38]byte
	out[0], out[37] = '"', '"'
	hex.Encode(out[1:9], u[0:4])
	hex.Encode(out[10:14], u[4:6])
	hex.Encode(out[15:19], u[6:8])
	hex.Encode(out[20:24], u[8:10])
	hex.Encode(out[25:37], u[10:16])
	out[9], out[14], out[19], out[24] = '-', '-', '-', '-'
	return append(b, out[:]...)
}

// appendS3RequestID writes S3's 16-character request id (digits and upper-case letters, as
// "K5FH04G883381FE1") drawn from the world's source.
func (r *Recorder) appendS3RequestID(b []byte) []byte {
	id := r.random[:16]
	io.ReadFull(r.w.Rand, id)
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for i := range id {
		id[i] = alphabet[int(id[i])%len(alphabet)]
	}
	return append(b, id...)
}

// appendS3HostID writes an x-amz-id-2 (S3's extended request id): 56 random bytes in base64,
// 76 characters, as real records carry.
func (r *Recorder) appendS3HostID(b []byte) []byte {
	raw := r.random[:56]
	io.ReadFull(r.w.Rand, raw)
	return base64.StdEncoding.AppendEncode(b, raw)
}

func appendInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }

// arena hands out records carved from large blocks, so a long run makes few allocations and
// leaves the collector few objects to scan.
type arena struct{ block []byte }

const arenaBlock = 64 << 10

// start returns an empty buffer to build a record in.
func (a *arena) start() []byte {
	if cap(a.block)-len(a.block) < 4<<10 {
		a.block = make([]byte, 0, arenaBlock)
	}
	return a.block[len(a.block):len(a.block)]
}

// finish takes the record built from start's buffer: in the block when it fit (append then
// wrote in place), else in the array append grew for it.
func (a *arena) finish(rec []byte) json.RawMessage {
	if len(rec) <= cap(a.block)-len(a.block) {
		a.block = a.block[:len(a.block)+len(rec)]
	}
	return rec[:len(rec):len(rec)]
}
