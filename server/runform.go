package server

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"
)

// maxFormMemory is how much of a multipart body is held in memory; larger
// file parts spill to temporary files.
const maxFormMemory = 32 << 20

// runForm is the parsed form of POST /agents/{agent_id}/runs.
type runForm struct {
	Message      string
	Stream       bool
	SessionID    string
	UserID       *string
	Background   bool
	AddHistory   *bool
	StreamEvents bool
	SessionState json.RawMessage
	Metadata     json.RawMessage
}

// errFilesUnsupported rejects uploads, which the models here cannot read.
var errFilesUnsupported = errors.New("file uploads are not supported: " +
	"send the text in the message field")

// formValues returns the body fields of a form request. Bodies of other
// types, JSON included, have no fields, as in agno, whose run route reads
// forms only.
func formValues(r *http.Request) (map[string][]string, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxFormMemory); err != nil {
			return nil, err
		}
		if len(r.MultipartForm.File) > 0 {
			// Dropping the files would answer about a message the user did
			// not send, so the run is rejected instead.
			return nil, errFilesUnsupported
		}
		return r.MultipartForm.Value, nil
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		return r.PostForm, nil
	}
	return nil, nil
}

// parseRunForm validates the declared fields in agno's order and reads the
// run options agno forwards from extra fields.
func parseRunForm(values map[string][]string) (runForm, error) {
	f := runForm{Stream: true, StreamEvents: true}
	errs := &ValidationError{}
	get := func(name string) (string, bool) {
		v, ok := values[name]
		if !ok || len(v) == 0 {
			return "", false
		}
		// FastAPI takes the last value of a repeated form field.
		return v[len(v)-1], true
	}
	if msg, ok := get("message"); ok {
		f.Message = msg
	} else {
		errs.Add(ValidationItem{Type: "missing", Loc: []any{"body", "message"},
			Msg: "Field required", Input: nil})
	}
	if v, ok := get("stream"); ok {
		b, valid := parseBool(v)
		if !valid {
			errs.Add(boolItem("stream", v))
		}
		f.Stream = b
	}
	if v, ok := get("session_id"); ok {
		f.SessionID = v
	}
	if v, ok := get("user_id"); ok {
		f.UserID = &v
	}
	if v, ok := get("background"); ok {
		b, valid := parseBool(v)
		if !valid {
			errs.Add(boolItem("background", v))
		}
		f.Background = b
	}
	if v, ok := get("add_history_to_context"); ok {
		b, valid := parseBool(v)
		if !valid {
			errs.Add(boolItem("add_history_to_context", v))
		}
		f.AddHistory = &b
	}
	if v, ok := get("stream_events"); ok {
		b, valid := parseBool(v)
		if !valid {
			errs.Add(boolItem("stream_events", v))
		}
		f.StreamEvents = b
	}
	for _, name := range []string{"session_state", "metadata"} {
		v, ok := get(name)
		if !ok || v == "" {
			continue
		}
		raw, item := jsonObjectField(name, v)
		if item != nil {
			errs.Add(*item)
			continue
		}
		if name == "session_state" {
			f.SessionState = raw
		} else {
			f.Metadata = raw
		}
	}
	return f, errs.Err()
}

// parseBool reads a boolean as pydantic does: true/false, 1/0, yes/no,
// on/off, t/f and y/n, in any case.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "on", "t", "y":
		return true, true
	case "false", "0", "no", "off", "f", "n":
		return false, true
	}
	return false, false
}

func boolItem(field, input string) ValidationItem {
	return ValidationItem{Type: "bool_parsing", Loc: []any{"body", field},
		Msg: "Input should be a valid boolean, unable to interpret input", Input: input}
}

// jsonObjectField reads a form field that must hold a JSON object. agno
// drops such a field silently when it is not valid JSON; here the request
// is rejected, naming the field, so the caller learns the value was not used.
func jsonObjectField(name, v string) (json.RawMessage, *ValidationItem) {
	raw := json.RawMessage(v)
	var obj map[string]json.RawMessage
	err := json.Unmarshal(raw, &obj)
	if err == nil && obj != nil {
		return compactRaw(raw), nil
	}
	msg := "Input should be a JSON object, for example {\"key\": \"value\"}"
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		msg = "Invalid JSON: " + syn.Error() + "; send a JSON object"
	}
	return nil, &ValidationItem{Type: "json_invalid", Loc: []any{"body", name}, Msg: msg,
		Input: v}
}

func compactRaw(raw json.RawMessage) json.RawMessage {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(raw); err != nil {
		return raw
	}
	return json.RawMessage(strings.TrimSuffix(b.String(), "\n"))
}
