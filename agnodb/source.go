package agnodb

import (
	"fmt"
	"net/url"
	"os"
)

func statFile(path string) (os.FileInfo, error) {
	info, err := os.Stat(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%s does not exist: give the path of an agno SQLite "+
				"database, such as tmp/agno.db", path)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return info, nil
}

// redactURL returns a database URL with its password replaced, for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the PostgreSQL database"
	}
	return u.Redacted()
}
