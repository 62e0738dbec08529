package server

import (
	"bytes"
	"encoding/json"
	"sync"
	"testing"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/internal/recording"
)

const recordingsDir = referenceDir + "/recordings"

var (
	recordingsOnce sync.Once
	recordings     []*recording.Exchange
	recordingsErr  error
)

// recorded returns the exchange with the given name.
func recorded(t testing.TB, name string) *recording.Exchange {
	t.Helper()
	recordingsOnce.Do(func() { recordings, recordingsErr = recording.LoadAll(recordingsDir) })
	if recordingsErr != nil {
		t.Fatal(recordingsErr)
	}
	ex := recording.Find(recordings, name)
	if ex == nil {
		t.Fatalf("no recording %s", name)
	}
	return ex
}

// sameBytes fails the test when got differs from the recorded body.
func sameBytes(t *testing.T, name string, got []byte, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Errorf("%s: body differs from the recording\n got: %s\nwant: %s", name, got, want)
	}
}

func referenceSessionCopy(t *testing.T, id string) (*agentos.Session, *referenceSession) {
	t.Helper()
	ref := loadReference(t)[id]
	if ref == nil {
		t.Fatalf("agno-reference.db has no session %s", id)
	}
	s := *ref.Session
	return &s, ref
}

func TestRunViewMatchesRecording(t *testing.T) {
	_, ref := referenceSessionCopy(t, "rec-chat")
	run := referenceRuns(t, ref)[0]
	got := appendRunByOwnFields(nil, run, false)
	sameBytes(t, "66-session-run-get", got, recorded(t, "66-session-run-get").Response.Body)
}

func TestRunListViewMatchesRecording(t *testing.T) {
	s, ref := referenceSessionCopy(t, "rec-chat")
	got := []byte{'['}
	for i, run := range referenceRuns(t, ref) {
		if i > 0 {
			got = append(got, ',')
		}
		var shown bool
		got, shown = appendRunInSession(got, run, s.Type)
		if !shown {
			t.Fatalf("run %s left out of an agent session", run.RunID)
		}
	}
	got = append(got, ']')
	sameBytes(t, "60-session-runs", got, recorded(t, "60-session-runs").Response.Body)
}

func TestDetailViewsMatchRecordings(t *testing.T) {
	// rec-chat as agno-reference.db holds it is the state after the PATCH of
	// 79-session-patch-run-session, which prints nulls.
	s, ref := referenceSessionCopy(t, "rec-chat")
	runs := referenceRuns(t, ref)
	got := appendDetail(nil, s, runs, detailOptions{})
	sameBytes(t, "79-session-patch-run-session", got,
		recorded(t, "79-session-patch-run-session").Response.Body)

	// Before that PATCH it had no metadata and had not been updated since
	// its last run.
	s.Metadata = nil
	s.UpdatedAt = s.CreatedAt
	got = appendDetail(nil, s, runs, detailOptions{omitNull: true})
	sameBytes(t, "51-session-get", got, recorded(t, "51-session-get").Response.Body)

	team, _ := referenceSessionCopy(t, "8038bd49-7766-48bc-93c6-564de609e317")
	got = appendDetail(nil, team, nil, detailOptions{omitNull: true})
	sameBytes(t, "54-session-get-team", got, recorded(t, "54-session-get-team").Response.Body)

	full, _ := referenceSessionCopy(t, "rec-s-full")
	got = appendDetail(nil, full, nil, detailOptions{})
	sameBytes(t, "78-session-patch-empty", got, recorded(t, "78-session-patch-empty").Response.Body)
}

func TestListItemsMatchRecording(t *testing.T) {
	var page struct {
		Data []json.RawMessage `json:"data"`
	}
	body := recorded(t, "96-sessions-list-final").Response.Body
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	refs := loadReference(t)
	if len(page.Data) != len(refs) {
		t.Fatalf("recording lists %d sessions, agno-reference.db holds %d",
			len(page.Data), len(refs))
	}
	for _, want := range page.Data {
		var item struct {
			SessionID string `json:"session_id"`
		}
		if err := json.Unmarshal(want, &item); err != nil {
			t.Fatal(err)
		}
		s, _ := referenceSessionCopy(t, item.SessionID)
		sameBytes(t, "96-sessions-list-final "+item.SessionID, appendListItem(nil, s), want)
	}
}

func TestWorkflowDetailView(t *testing.T) {
	owner := "ann"
	name := "Nightly"
	s := &agentos.Session{
		ID: "wf-1", Type: agentos.SessionTypeWorkflow, WorkflowID: "etl", UserID: &owner,
		Name: &name, State: json.RawMessage(`{"step": 2}`), CreatedAt: 1772356542,
	}
	got := appendDetail(nil, s, nil, detailOptions{})
	want := `{"user_id":"ann","workflow_id":"etl","workflow_name":null,"session_id":"wf-1",` +
		`"session_name":"Nightly",` +
		`"session_data":{"session_name":"Nightly","session_state":{"step":2}},` +
		`"session_state":{"step":2},"workflow_data":{},"metadata":{},` +
		`"created_at":"2026-03-01T09:15:42Z","updated_at":"2026-03-01T09:15:42Z"}`
	if string(got) != want {
		t.Errorf("workflow detail\n got: %s\nwant: %s", got, want)
	}

	bare := &agentos.Session{ID: "wf-2", Type: agentos.SessionTypeWorkflow, CreatedAt: 1772356542}
	got = appendDetail(nil, bare, nil, detailOptions{omitNull: true})
	want = `{"session_id":"wf-2","session_name":"","session_data":{},"workflow_data":{},` +
		`"metadata":{},"created_at":"2026-03-01T09:15:42Z","updated_at":"2026-03-01T09:15:42Z"}`
	if string(got) != want {
		t.Errorf("bare workflow detail\n got: %s\nwant: %s", got, want)
	}
}
