package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"github.com/agentos-go/agentos"
	"github.com/agentos-go/agentos/agent"
)

// loadAgents returns the agent configuration: the file at path when one is
// given, else agentos.yaml when it exists, else the default Assistant whose
// model follows the environment.
func loadAgents(path string, explicit bool, logger *slog.Logger) (*agent.Config, error) {
	if !explicit {
		if _, err := os.Stat(agent.DefaultConfigFile); errors.Is(err, fs.ErrNotExist) {
			cfg := agent.DefaultConfig(os.Getenv)
			logger.Info("no agent configuration file; serving the default agent",
				slog.String("agent", "assistant"), slog.String("model", modelName(cfg)))
			return cfg, nil
		}
		path = agent.DefaultConfigFile
	}
	cfg, err := agent.LoadConfig(path, os.Getenv)
	if err != nil {
		return nil, usageErrorf("invalid agent configuration: %v", err)
	}
	return cfg, nil
}

func modelName(cfg *agent.Config) string {
	if len(cfg.Agents) == 0 || cfg.Agents[0].Model == nil {
		return ""
	}
	info := cfg.Agents[0].Model.Info()
	return info.Provider + ":" + info.ID
}

// startEngine builds the run engine over store and starts its lease
// maintenance, which stops when ctx ends. Stores shared by several
// processes get a cancel broker that reaches every replica.
func startEngine(ctx context.Context, cfg *agent.Config, store agentos.SessionStore,
	logger *slog.Logger) (*agent.Engine, func(), error) {
	cancels, stopCancels := cancelBroker(store, logger)
	engine, err := agent.NewEngine(agent.EngineConfig{
		Store:   store,
		Agents:  cfg.Agents,
		Cancels: cancels,
		Logger:  logger,
	})
	if err != nil {
		stopCancels()
		return nil, nil, fmt.Errorf("start the agents: %w", err)
	}
	mctx, stopMaintain := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		engine.Maintain(mctx)
	}()
	return engine, func() {
		stopMaintain()
		<-done
		stopCancels()
	}, nil
}
