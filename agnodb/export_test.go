package agnodb

import "database/sql"

// ConvertRow converts a row of the given type with the given session_data,
// runs and created_at values, as Reader.Each does, for fuzz tests.
func ConvertRow(typ string, sessionData, runs, createdAt any) Item {
	row := rawRow{
		id:          sql.NullString{String: "s", Valid: true},
		typ:         sql.NullString{String: typ, Valid: true},
		agentID:     sql.NullString{String: "a", Valid: typ == "agent"},
		sessionData: sessionData,
		runs:        runs,
		createdAt:   createdAt,
	}
	return row.convert()
}
