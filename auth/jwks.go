package auth

import (
	"log/slog"
	"os"
	"sync"
	"time"
)

// jwksCheckInterval is how often a JWKS file is checked for changes, so
// keys rotated by the identity provider take effect without a restart.
const jwksCheckInterval = 10 * time.Second

// jwksSource holds the keys of a JWKS file and reloads them when the file's
// modification time or size changes. A file that fails to load keeps the
// previous keys in use.
type jwksSource struct {
	path   string
	logger *slog.Logger
	now    func() time.Time

	mu      sync.Mutex
	keys    []verificationKey
	modTime time.Time
	size    int64
	checked time.Time
}

// openJWKS loads the JWKS file at path. A file without usable keys is an
// error here, at start.
func openJWKS(path string, logger *slog.Logger, now func() time.Time) (*jwksSource, error) {
	s := &jwksSource{path: path, logger: logger, now: now}
	info, err := os.Stat(path)
	if err == nil {
		s.modTime, s.size = info.ModTime(), info.Size()
	}
	keys, err := s.load()
	if err != nil {
		return nil, err
	}
	s.keys, s.checked = keys, now()
	return s, nil
}

// current returns the keys, reloading the file first when it changed and
// the last check is jwksCheckInterval old.
func (s *jwksSource) current() []verificationKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if now.Sub(s.checked) < jwksCheckInterval && !now.Before(s.checked) {
		return s.keys
	}
	s.checked = now
	info, err := os.Stat(s.path)
	if err != nil {
		s.logger.Warn("JWKS file not readable, keeping its previous keys",
			slog.String("file", s.path), slog.Any("error", err))
		return s.keys
	}
	if info.ModTime().Equal(s.modTime) && info.Size() == s.size {
		return s.keys
	}
	s.modTime, s.size = info.ModTime(), info.Size()
	keys, err := s.load()
	if err != nil {
		s.logger.Warn("JWKS file failed to reload, keeping its previous keys",
			slog.String("file", s.path), slog.Any("error", err))
		return s.keys
	}
	s.keys = keys
	s.logger.Info("JWKS file reloaded", slog.String("file", s.path), slog.Int("keys", len(keys)))
	return s.keys
}

func (s *jwksSource) load() ([]verificationKey, error) {
	keys, skipped, err := loadJWKSFile(s.path)
	for _, reason := range skipped {
		s.logger.Warn("skipped a JWKS key", slog.String("file", s.path),
			slog.String("reason", reason))
	}
	return keys, err
}
