package server

import (
	"errors"
	"net/url"
	"testing"
)

func TestParseRunFormBooleans(t *testing.T) {
	for _, v := range []string{"true", "TRUE", "1", "yes", "On", "t", "Y"} {
		f, err := parseRunForm(url.Values{"message": {"m"}, "stream": {v}})
		if err != nil || !f.Stream {
			t.Errorf("stream=%s: %v %v, want true", v, f.Stream, err)
		}
	}
	for _, v := range []string{"false", "False", "0", "no", "OFF", "f", "n"} {
		f, err := parseRunForm(url.Values{"message": {"m"}, "stream": {v}})
		if err != nil || f.Stream {
			t.Errorf("stream=%s: %v %v, want false", v, f.Stream, err)
		}
	}
	f, err := parseRunForm(url.Values{"message": {"m"}})
	if err != nil || !f.Stream || !f.StreamEvents || f.AddHistory != nil {
		t.Errorf("defaults: %+v %v", f, err)
	}
}

func TestParseRunFormErrorsInFieldOrder(t *testing.T) {
	_, err := parseRunForm(url.Values{"stream": {"maybe"}, "background": {"2"}})
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v, want a validation error", err)
	}
	var fields []any
	for _, it := range verr.Items {
		fields = append(fields, it.Loc[1])
	}
	want := []any{"message", "stream", "background"}
	if len(fields) != len(want) {
		t.Fatalf("fields %v, want %v", fields, want)
	}
	for i := range want {
		if fields[i] != want[i] {
			t.Errorf("item %d names %v, want %v", i, fields[i], want[i])
		}
	}
}

// FuzzParseRunForm checks that any urlencoded body either parses into a
// form whose message is the body's last message value or fails with 422
// items that name a body field.
func FuzzParseRunForm(f *testing.F) {
	for _, seed := range []string{
		"message=My%20name%20is%20Alice.&stream=false&session_id=rec-chat",
		"stream=maybe",
		"message=hi&session_state=%7B%22a%22%3A1%7D",
		"message=hi&session_state=%7Bbroken",
		"message=hi&metadata=%5B1%5D&add_history_to_context=nope",
		"message=a&message=b&stream=&background=1",
		"",
		"%zz",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		values, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		form, err := parseRunForm(values)
		if err != nil {
			var verr *ValidationError
			if !errors.As(err, &verr) || len(verr.Items) == 0 {
				t.Fatalf("error %v is not a validation error with items", err)
			}
			for _, it := range verr.Items {
				if len(it.Loc) != 2 || it.Loc[0] != "body" || it.Msg == "" {
					t.Fatalf("item %+v does not name a body field", it)
				}
			}
			return
		}
		msgs := values["message"]
		if len(msgs) == 0 || form.Message != msgs[len(msgs)-1] {
			t.Fatalf("message %q from values %q", form.Message, msgs)
		}
		if form.SessionState != nil && !validObject(form.SessionState) {
			t.Fatalf("session_state %s is not an object", form.SessionState)
		}
		if form.Metadata != nil && !validObject(form.Metadata) {
			t.Fatalf("metadata %s is not an object", form.Metadata)
		}
	})
}

func validObject(raw []byte) bool {
	_, item := jsonObjectField("x", string(raw))
	return item == nil
}
