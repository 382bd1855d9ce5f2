package trail

// Lookups inside a record the reader validated: its members and elements
// found with the scanner, without building gjson results or maps.

// eachMember calls fn with each member of the object obj (the key's bytes
// between the quotes, escapes undecoded) until fn returns false. Anything
// but a valid object calls nothing.
func eachMember(obj []byte, fn func(key, value []byte) bool) {
	if len(obj) == 0 || obj[0] != '{' {
		return
	}
	i := skipSpace(obj, 1)
	if i >= len(obj) || obj[i] == '}' {
		return
	}
	for {
		ke, vs, err := memberKey(obj, i)
		if err != nil {
			return
		}
		ve, err := skipValue(obj, vs, false)
		if err != nil || !fn(obj[i+1:ke-1], obj[vs:ve]) {
			return
		}
		if i = skipSpace(obj, ve); i >= len(obj) || obj[i] != ',' {
			return
		}
		i = skipSpace(obj, i+1)
	}
}

// eachElement calls fn with each element of the array arr until fn returns false.
func eachElement(arr []byte, fn func(v []byte) bool) {
	if len(arr) == 0 || arr[0] != '[' {
		return
	}
	i := skipSpace(arr, 1)
	if i >= len(arr) || arr[i] == ']' {
		return
	}
	for {
		end, err := skipValue(arr, i, false)
		if err != nil || !fn(arr[i:end]) {
			return
		}
		if i = skipSpace(arr, end); i >= len(arr) || arr[i] != ',' {
			return
		}
		i = skipSpace(arr, i+1)
	}
}

// keyIs reports whether a member key (undecoded) is name.
func keyIs(key []byte, name string) bool {
	if string(key) == name {
		return true
	}
	if !hasEscape(key) {
		return false
	}
	q := append(append([]byte{'"'}, key...), '"')
	return unquote(q) == name
}

// memberValues returns the values of the first members named by names.
func memberValues(obj []byte, names ...string) [4][]byte {
	var out [4][]byte
	left := len(names)
	eachMember(obj, func(k, v []byte) bool {
		for i, n := range names {
			if out[i] == nil && keyIs(k, n) {
				out[i] = v
				left--
			}
		}
		return left > 0
	})
	return out
}

// isNull reports an absent or null value.
func isNull(v []byte) bool { return len(v) == 0 || string(v) == "null" }

// ErrorCode returns the record's errorCode, or "" when it has none.
func ErrorCode(r Record) string { return (*Summary)(nil).text(members(r).errorCode) }

// CallerAccount returns userIdentity.accountId, or "".
func CallerAccount(r Record) string {
	return (*Summary)(nil).text(memberValues(members(r).userIdentity, "accountId")[0])
}

// TopMembers returns the raw JSON of three members consumers look into often (nil when
// absent), found where the reader noted them.
func TopMembers(r Record) (userIdentity, requestParameters, additionalEventData []byte) {
	m := members(r)
	return m.userIdentity, m.requestParameters, m.additionalEventData
}
