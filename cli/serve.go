package cli

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/agentos-go/agentos/agent"
	"github.com/agentos-go/agentos/auth"
	"github.com/agentos-go/agentos/server"
)

// envPort and envHost are agno's variables for the port and the address
// to listen on.
const (
	envPort = "AGENT_OS_PORT"
	envHost = "AGENT_OS_HOST"
)

// serveOptions are the flags of agentos serve.
type serveOptions struct {
	host      string
	port      int
	db        string
	dbConns   int
	dbID      string
	logFormat string
	logLevel  string
	grace     time.Duration
	config    string
	auth      *authFlags
}

func newServeCommand(streams Streams) *cobra.Command {
	opts := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the AgentOS HTTP server",
		Long: `Serve agno's AgentOS HTTP API: sessions, their runs and the agents.

Sessions are kept in a SQLite file (tmp/app.db unless --db says otherwise),
or in PostgreSQL when --db is a postgres:// URL. Agents come from the YAML
file --config names (agentos.yaml when it exists); without one, the server
hosts one agent, "assistant", on Claude when ANTHROPIC_API_KEY is set, else
on OpenAI when OPENAI_API_KEY is set.
The server stops gracefully on SIGINT or SIGTERM: it stops accepting
connections and lets requests in flight finish for up to --shutdown-grace.`,
		Example: `  agentos serve
  agentos serve --port 8000 --db /var/lib/agentos/app.db
  AGENT_OS_PORT=8000 agentos serve --log-format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd, streams, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.host, "host", "127.0.0.1",
		"address to listen on; 0.0.0.0 for every interface (env "+envHost+")")
	f.IntVar(&opts.port, "port", 7777, "port to listen on (env "+envPort+")")
	f.StringVar(&opts.db, "db", defaultDBPath,
		"session database: a SQLite file path or a postgres:// URL (env "+envDB+")")
	f.IntVar(&opts.dbConns, "db-max-conns", 0,
		"most PostgreSQL connections this process opens; 0 keeps the URL's "+
			"pool_max_conns, else the larger of 4 and the number of CPUs")
	f.StringVar(&opts.dbID, "db-id", server.DefaultDBID,
		"database id reported in /config and accepted as db_id")
	f.StringVar(&opts.logFormat, "log-format", "text", "log format: text or json")
	f.StringVar(&opts.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.StringVar(&opts.config, "config", agent.DefaultConfigFile,
		"agent configuration file (YAML); without one, a default Assistant agent is served")
	f.DurationVar(&opts.grace, "shutdown-grace", 15*time.Second,
		"time requests in flight get to finish on shutdown")
	opts.auth = addAuthFlags(cmd)
	return cmd
}

// newLogger returns a slog logger writing to w in the format and level given.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, usageErrorf("invalid --log-level %q: use debug, info, warn or error", level)
	}
	handlerOpts := &slog.HandlerOptions{Level: lvl}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, handlerOpts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, handlerOpts)), nil
	}
	return nil, usageErrorf("invalid --log-format %q: use text or json", format)
}

func runServe(cmd *cobra.Command, streams Streams, opts *serveOptions) error {
	ctx := cmd.Context()
	logger, err := newLogger(streams.ErrOut, opts.logFormat, opts.logLevel)
	if err != nil {
		return err
	}
	port := opts.port
	if !cmd.Flags().Changed("port") {
		if v := os.Getenv(envPort); v != "" {
			port, err = strconv.Atoi(v)
			if err != nil || port < 0 || port > 65535 {
				return usageErrorf("invalid %s %q: use a port number from 0 to 65535", envPort, v)
			}
		}
	}
	if port < 0 || port > 65535 {
		return usageErrorf("invalid --port %d: use a port number from 0 to 65535", port)
	}
	authConfig, err := opts.auth.config(cmd, os.Environ(), logger)
	if err != nil {
		return err
	}
	guard, err := auth.New(authConfig)
	if err != nil {
		return err
	}
	if opts.dbConns < 0 || opts.dbConns > math.MaxInt32 {
		return usageErrorf("invalid --db-max-conns %d: use 0 for the default or a "+
			"positive number of connections", opts.dbConns)
	}
	opts.db = resolveDB(opts.db, cmd.Flags().Changed("db"))
	store, err := openStore(ctx, opts.db, storeOptions{maxConns: int32(opts.dbConns)})
	if err != nil {
		return err
	}
	defer store.Close()

	agents, err := loadAgents(opts.config, cmd.Flags().Changed("config"), logger)
	if err != nil {
		return err
	}
	engine, stopEngine, err := startEngine(ctx, agents, store, logger)
	if err != nil {
		return err
	}
	defer stopEngine()

	srv, err := server.New(server.Config{
		Store:         store,
		Logger:        logger,
		DBID:          opts.dbID,
		Middleware:    guard.Middleware(),
		AuthMode:      string(guard.Mode()),
		Engine:        engine,
		OSID:          agents.OSID,
		OSName:        agents.Name,
		OSDescription: agents.Description,
	})
	if err != nil {
		return err
	}
	host := opts.host
	if v := os.Getenv(envHost); v != "" && !cmd.Flags().Changed("host") {
		host = v
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	err = srv.ListenAndServe(ctx, addr, opts.grace, func(bound net.Addr) {
		logger.Info("serving AgentOS API", slog.String("address", "http://"+bound.String()),
			slog.String("db", describeDB(opts.db)), slog.String("auth", string(guard.Mode())))
		if exposedWithoutAuth(guard.Mode(), bound) {
			logger.Warn("serving without authentication on a non-loopback address: anyone who "+
				"reaches it can read every session; set OS_SECURITY_KEY or a JWT key",
				slog.String("address", bound.String()))
		}
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("server stopped")
	return nil
}

// exposedWithoutAuth reports whether a server without authentication
// listens on an address other hosts may reach.
func exposedWithoutAuth(mode auth.Mode, bound net.Addr) bool {
	tcp, ok := bound.(*net.TCPAddr)
	return ok && mode == auth.ModeNone && !tcp.IP.IsLoopback()
}
