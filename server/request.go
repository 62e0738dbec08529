package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agentos-go/agentos"
)

// Request parsing follows FastAPI and pydantic 2 as agno 2.9.0 runs them:
// every query and body problem of a request is collected into one 422 body
// whose items have pydantic's types, messages and locations. Query items
// come first, in the order the route declares its parameters, then body
// items in the order of the body model's fields.

// maxBodyBytes caps request bodies read by the session routes. The auth
// middleware usually applies a lower limit first.
const maxBodyBytes = 32 << 20

// sessionTypeNames lists the accepted values of the type parameter.
var sessionTypeNames = []string{"agent", "team", "workflow"}

// query reads query parameters and collects their validation errors.
type query struct {
	values url.Values
	errs   *ValidationError
}

func newQuery(r *http.Request, errs *ValidationError) query {
	return query{values: r.URL.Query(), errs: errs}
}

// get returns the value of name and whether it was given. Like Starlette,
// it takes the last value when the name is repeated.
func (q query) get(name string) (string, bool) {
	vs, ok := q.values[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[len(vs)-1], true
}

// optString returns the value of name, or nil when it was not given.
func (q query) optString(name string) *string {
	v, ok := q.get(name)
	if !ok {
		return nil
	}
	return &v
}

// sessionType returns the type parameter, or nil when it was not given.
func (q query) sessionType() *agentos.SessionType {
	v, ok := q.get("type")
	if !ok {
		return nil
	}
	if !q.enum("type", v, sessionTypeNames) {
		return nil
	}
	t := agentos.SessionType(v)
	return &t
}

// enum reports whether v is one of allowed, adding an enum error if not.
func (q query) enum(name, v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	q.errs.Add(enumItem([]any{"query", name}, v, allowed))
	return false
}

// int returns the integer parameter name, def when it is absent, and
// whether it was valid. A value below min gives a greater_than_equal error.
func (q query) int(name string, def, min int64) (int64, bool) {
	v, ok := q.get(name)
	if !ok {
		return def, true
	}
	loc := []any{"query", name}
	n, err := parseInt(v)
	if err != nil {
		q.errs.Add(intItem(loc, v, min, err))
		return def, false
	}
	if n < min {
		q.errs.Add(greaterEqualItem(loc, v, min))
		return def, false
	}
	return n, true
}

func greaterEqualItem(loc []any, input string, min int64) ValidationItem {
	return ValidationItem{
		Type:  "greater_than_equal",
		Loc:   loc,
		Msg:   fmt.Sprintf("Input should be greater than or equal to %d", min),
		Input: input,
		Ctx:   map[string]any{"ge": min},
	}
}

// optInt returns the integer parameter name, or nil when it is absent or
// invalid.
func (q query) optInt(name string) *int64 {
	if _, ok := q.get(name); !ok {
		return nil
	}
	n, ok := q.int(name, 0, math.MinInt64)
	if !ok {
		return nil
	}
	return &n
}

var errIntRange = errors.New("out of range")

// parseInt parses an integer as pydantic parses one from a string: spaces
// around it are ignored, a sign is allowed and a fraction of zeros such as
// "5.00" is dropped. Values beyond 64 bits fail with errIntRange.
func parseInt(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if whole, frac, ok := strings.Cut(s, "."); ok && frac != "" && strings.Trim(frac, "0") == "" {
		s = whole
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil && errors.Is(err, strconv.ErrRange) {
		return 0, errIntRange
	}
	return n, err
}

// intItem is the error for a value that parseInt rejected. A value beyond
// 64 bits is reported against the bound it crossed: min for a negative
// value, the largest integer otherwise.
func intItem(loc []any, input string, min int64, err error) ValidationItem {
	if errors.Is(err, errIntRange) && strings.HasPrefix(strings.TrimSpace(input), "-") {
		return greaterEqualItem(loc, input, min)
	}
	if errors.Is(err, errIntRange) {
		return ValidationItem{
			Type:  "less_than_equal",
			Loc:   loc,
			Msg:   fmt.Sprintf("Input should be less than or equal to %d", int64(math.MaxInt64)),
			Input: input,
			Ctx:   map[string]any{"le": int64(math.MaxInt64)},
		}
	}
	return ValidationItem{
		Type:  "int_parsing",
		Loc:   loc,
		Msg:   "Input should be a valid integer, unable to parse string as an integer",
		Input: input,
	}
}

// enumItem is pydantic's error for a value outside an enumeration.
func enumItem(loc []any, input any, allowed []string) ValidationItem {
	expected := quoteList(allowed)
	return ValidationItem{
		Type:  "enum",
		Loc:   loc,
		Msg:   "Input should be " + expected,
		Input: input,
		Ctx:   map[string]any{"expected": expected},
	}
}

// quoteList writes values as pydantic lists expected values: 'a', 'b' or 'c'.
func quoteList(values []string) string {
	var b strings.Builder
	for i, v := range values {
		switch {
		case i == 0:
		case i == len(values)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString("'" + v + "'")
	}
	return b.String()
}

func missingItem(loc []any, input any) ValidationItem {
	return ValidationItem{Type: "missing", Loc: loc, Msg: "Field required", Input: input}
}

// errBodyParse is agno's response to a body that is not text or nests too
// deeply: FastAPI turns any decoding failure other than a JSON syntax error
// into this 400.
var errBodyParse = agentos.Errorf(agentos.EINVALID, "There was an error parsing the body")

// readBody reads the request body and checks that it is JSON as Python's
// json.loads reads it. It returns nil for an empty body, which FastAPI
// treats as no body. A syntax error is a 422 json_invalid item.
//
// The Content-Type header is not checked: a JSON body is read as JSON
// whatever the client declared.
func readBody(r *http.Request) (json.RawMessage, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if len(body) > maxBodyBytes {
		return nil, agentos.Errorf(agentos.EINVALID,
			"Request body too large: the limit is %d bytes", maxBodyBytes)
	}
	if len(body) == 0 {
		return nil, nil
	}
	// Python decodes bytes with utf-8-sig, which drops a byte order mark.
	body = body[len(bomPrefix(body)):]
	if !utf8.Valid(body) {
		return nil, errBodyParse
	}
	if serr := checkJSONSyntax(body); serr != nil {
		if serr.tooDeep {
			return nil, errBodyParse
		}
		return nil, (&ValidationError{}).Add(ValidationItem{
			Type:  "json_invalid",
			Loc:   []any{"body", serr.charOffset(body)},
			Msg:   "JSON decode error",
			Input: map[string]any{},
			Ctx:   map[string]any{"error": serr.msg},
		})
	}
	return body, nil
}

func bomPrefix(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf {
		return b[:3]
	}
	return nil
}

// bodyFields reads the fields of a JSON object body and collects their
// validation errors under loc.
type bodyFields struct {
	raw    json.RawMessage
	fields map[string]json.RawMessage
	loc    []any
	errs   *ValidationError
}

// objectFields returns the fields of the object raw, the last one winning
// for a repeated name, and false when raw is not an object.
func objectFields(raw json.RawMessage) (map[string]json.RawMessage, bool) {
	members, ok := objectMembers(raw)
	if !ok {
		return nil, false
	}
	fields := make(map[string]json.RawMessage, len(members))
	for _, m := range members {
		fields[m.name()] = m.value
	}
	return fields, true
}

func (f bodyFields) at(name string) []any {
	loc := make([]any, len(f.loc), len(f.loc)+1)
	copy(loc, f.loc)
	return append(loc, name)
}

// value returns the field name, nil when it is absent or null.
func (f bodyFields) value(name string) json.RawMessage {
	v := f.fields[name]
	if agentos.IsNull(v) {
		return nil
	}
	return v
}

// optString returns the string field name, or nil when it is absent or
// null. Any other JSON type is a string_type error.
func (f bodyFields) optString(name string) *string {
	v := f.value(name)
	if v == nil {
		return nil
	}
	s, ok := jsonString(v)
	if !ok {
		f.errs.Add(stringTypeItem(f.at(name), v))
		return nil
	}
	return &s
}

// optObject returns the object field name, or nil when it is absent or
// null. Any other JSON type is a dict_type error.
func (f bodyFields) optObject(name string) json.RawMessage {
	v := f.value(name)
	if v == nil {
		return nil
	}
	if !agentos.IsJSONObject(v) {
		f.errs.Add(ValidationItem{
			Type: "dict_type", Loc: f.at(name), Msg: "Input should be a valid dictionary", Input: v,
		})
		return nil
	}
	return compactJSON(v)
}

// list returns the elements of the required list field name. A missing
// field is a missing error, anything but a list a list_type error, and an
// empty list a too_short error when minItems is 1.
func (f bodyFields) list(name string, minItems int) ([]json.RawMessage, bool) {
	v, present := f.fields[name]
	if !present {
		f.errs.Add(missingItem(f.at(name), f.whole()))
		return nil, false
	}
	elems, ok := arrayElements(v)
	if !ok {
		f.errs.Add(ValidationItem{
			Type: "list_type", Loc: f.at(name), Msg: "Input should be a valid list", Input: v,
		})
		return nil, false
	}
	if len(elems) < minItems {
		f.errs.Add(ValidationItem{
			Type: "too_short",
			Loc:  f.at(name),
			Msg: fmt.Sprintf("List should have at least %d item after validation, not %d",
				minItems, len(elems)),
			Input: v,
			Ctx: map[string]any{
				"field_type": "List", "min_length": minItems, "actual_length": len(elems),
			},
		})
		return nil, false
	}
	out := make([]json.RawMessage, len(elems))
	for i, e := range elems {
		out[i] = e
	}
	return out, true
}

// whole returns the object the fields came from, the input pydantic shows
// for a missing field of a model.
func (f bodyFields) whole() json.RawMessage {
	return compactJSON(f.raw)
}

func stringTypeItem(loc []any, input json.RawMessage) ValidationItem {
	return ValidationItem{
		Type: "string_type", Loc: loc, Msg: "Input should be a valid string", Input: input,
	}
}

// jsonString decodes raw when it is a JSON string.
func jsonString(raw json.RawMessage) (string, bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// compactJSON returns raw without insignificant whitespace, the form in
// which values are stored.
func compactJSON(raw json.RawMessage) json.RawMessage {
	return appendCompact(make([]byte, 0, len(raw)), raw)
}

// bodyObject returns the fields of a model body. A body that is not an
// object is pydantic's model_attributes_type error at loc ["body"].
func bodyObject(raw json.RawMessage, errs *ValidationError) (bodyFields, bool) {
	fields, ok := objectFields(raw)
	if !ok {
		errs.Add(ValidationItem{
			Type:  "model_attributes_type",
			Loc:   []any{"body"},
			Msg:   "Input should be a valid dictionary or object to extract fields from",
			Input: raw,
		})
		return bodyFields{}, false
	}
	return bodyFields{raw: raw, fields: fields, loc: []any{"body"}, errs: errs}, true
}

// ctxOrder lists the ctx keys of validation items in the order pydantic
// writes them. Other keys follow in sorted order.
var ctxOrder = []string{
	"field_type", "min_length", "max_length", "actual_length", "ge", "gt", "le", "lt",
	"expected", "error",
}

// MarshalJSON writes the item with its ctx keys in pydantic's order, so the
// body matches agno's byte for byte.
func (it ValidationItem) MarshalJSON() ([]byte, error) {
	o := newObject(nil, false)
	o.string("type", it.Type)
	for _, f := range []struct {
		name  string
		value any
	}{{"loc", it.Loc}, {"msg", it.Msg}, {"input", it.Input}} {
		b, err := marshalJSON(f.value)
		if err != nil {
			return nil, err
		}
		o.key(f.name)
		o.buf = append(o.buf, b...)
	}
	if len(it.Ctx) == 0 {
		return o.close(), nil
	}
	o.key("ctx")
	ctx := newObject(o.buf, false)
	keys := make([]string, 0, len(it.Ctx))
	for _, k := range ctxOrder {
		if _, ok := it.Ctx[k]; ok {
			keys = append(keys, k)
		}
	}
	var rest []string
	for k := range it.Ctx {
		if !slices.Contains(ctxOrder, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range append(keys, rest...) {
		b, err := marshalJSON(it.Ctx[k])
		if err != nil {
			return nil, err
		}
		ctx.quotedKey(k)
		ctx.buf = append(ctx.buf, b...)
	}
	o.buf = ctx.close()
	return o.close(), nil
}

// marshalJSON encodes v without HTML escaping.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// summaryKeys are the members of a session summary, in agno's order.
var summaryKeys = []string{"summary", "topics", "updated_at"}

// parseSummary checks the summary object of a PATCH body and returns it as
// agno stores it: summary, then topics and updated_at when given, with
// updated_at re-printed by Python's isoformat. summary must be a string,
// topics a list of strings and updated_at an ISO 8601 time. agno 2.9.0
// stores anything here and then fails with 500, so each problem is a 422
// item under ["body", "summary", ...] instead.
func parseSummary(raw json.RawMessage, errs *ValidationError) json.RawMessage {
	members, _ := objectMembers(raw)
	fields, _ := objectFields(raw)
	f := bodyFields{raw: raw, fields: fields, loc: []any{"body", "summary"}, errs: errs}
	before := len(errs.Items)

	text, present := fields["summary"]
	_, isString := jsonString(text)
	switch {
	case !present:
		errs.Add(missingItem(f.at("summary"), f.whole()))
	case !isString:
		errs.Add(stringTypeItem(f.at("summary"), text))
	}
	topics := f.value("topics")
	if topics != nil {
		if elems, ok := arrayElements(topics); !ok {
			errs.Add(ValidationItem{
				Type: "list_type", Loc: f.at("topics"), Msg: "Input should be a valid list",
				Input: topics,
			})
		} else {
			for i, e := range elems {
				if _, ok := jsonString(e); !ok {
					errs.Add(stringTypeItem(append(f.at("topics"), i), e))
				}
			}
		}
	}
	var updated *pyTime
	if v := f.value("updated_at"); v != nil {
		s, ok := jsonString(v)
		t, parsed := parsePythonISO(s)
		switch {
		case !ok:
			errs.Add(stringTypeItem(f.at("updated_at"), v))
		case s == "":
			// Python treats "" as no time.
		case !parsed:
			errs.Add(ValidationItem{
				Type: "datetime_parsing",
				Loc:  f.at("updated_at"),
				Msg: "Input should be a valid datetime in ISO 8601 form, " +
					"such as 2026-03-01T09:00:00Z",
				Input: v,
			})
		default:
			updated = &t
		}
	}
	for _, m := range members {
		if !slices.Contains(summaryKeys, m.name()) {
			errs.Add(ValidationItem{
				Type: "extra_forbidden", Loc: f.at(m.name()), Msg: "Extra inputs are not permitted",
				Input: json.RawMessage(m.value),
			})
		}
	}
	if len(errs.Items) > before {
		return nil
	}

	o := newObject(nil, true)
	o.raw("summary", text)
	o.raw("topics", topics)
	if updated != nil {
		o.string("updated_at", updated.isoformat())
	}
	return o.close()
}
