package server

// sessionRoutes registers the session API.
func (s *Server) sessionRoutes() {
}
