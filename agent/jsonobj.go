package agent

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// jsonObject builds a JSON object whose keys keep the order they are added
// in, as agno's payloads list them. Strings keep non-ASCII characters and
// HTML characters unescaped.
type jsonObject struct {
	buf []byte
}

// add appends key with v encoded. A nil v is left out.
func (o *jsonObject) add(key string, v any) {
	if v == nil {
		return
	}
	o.raw(key, marshal(v))
}

// raw appends key with an encoded value. An empty value is left out.
func (o *jsonObject) raw(key string, value []byte) {
	if len(value) == 0 {
		return
	}
	if len(o.buf) == 0 {
		o.buf = append(o.buf, '{')
	} else {
		o.buf = append(o.buf, ',')
	}
	o.buf = append(o.buf, marshal(key)...)
	o.buf = append(o.buf, ':')
	o.buf = append(o.buf, value...)
}

// bytes returns the object, {} when nothing was added.
func (o *jsonObject) bytes() json.RawMessage {
	if len(o.buf) == 0 {
		return json.RawMessage("{}")
	}
	out := make([]byte, len(o.buf)+1)
	copy(out, o.buf)
	out[len(o.buf)] = '}'
	return out
}

// marshal encodes v compactly without HTML escaping. v must be encodable.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("agent: encoding %T: %v", v, err))
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// member is one key of a JSON object read in document order.
type member struct {
	Key   string
	Value json.RawMessage
}

// objectMembers reads the members of a JSON object in document order.
func objectMembers(raw json.RawMessage) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("expected a JSON object")
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{Key: key, Value: v})
	}
	return out, nil
}

// encodeMembers writes members back as an object, in order.
func encodeMembers(members []member) json.RawMessage {
	var o jsonObject
	for _, m := range members {
		o.raw(m.Key, m.Value)
	}
	return o.bytes()
}

// setMember replaces the value of key, or appends key when absent.
func setMember(members []member, key string, value json.RawMessage) []member {
	for i := range members {
		if members[i].Key == key {
			members[i].Value = value
			return members
		}
	}
	return append(members, member{Key: key, Value: value})
}

// lookupMember returns the value of key, or nil.
func lookupMember(members []member, key string) json.RawMessage {
	for _, m := range members {
		if m.Key == key {
			return m.Value
		}
	}
	return nil
}
