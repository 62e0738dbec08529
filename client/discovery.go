package client

import (
	"context"
	"encoding/json"
	"net/http"
)

// Health is the response of GET /health.
type Health struct {
	Status         string `json:"status"`
	InstantiatedAt Time   `json:"instantiated_at"`
}

// Home is the response of GET /.
type Home struct {
	Name    string `json:"name"`
	ID      string `json:"id"`
	Version string `json:"version"`
}

// Info is the response of GET /info.
type Info struct {
	OSID          string          `json:"os_id"`
	Name          string          `json:"name,omitempty"`
	AgnoVersion   string          `json:"agno_version"`
	AgentCount    int             `json:"agent_count"`
	TeamCount     int             `json:"team_count"`
	WorkflowCount int             `json:"workflow_count"`
	MCP           json.RawMessage `json:"mcp,omitempty"`
	// AuthMode is "none", "security_key" or "jwt".
	AuthMode string `json:"auth_mode"`
}

// Config is the response of GET /config: what the server hosts and where its
// data lives.
type Config struct {
	OSID            string          `json:"os_id"`
	Name            string          `json:"name,omitempty"`
	Description     string          `json:"description,omitempty"`
	AvailableModels []string        `json:"available_models"`
	OSDatabase      string          `json:"os_database,omitempty"`
	Databases       []string        `json:"databases"`
	Chat            json.RawMessage `json:"chat,omitempty"`
	Manifest        json.RawMessage `json:"manifest,omitempty"`
	Session         *DomainConfig   `json:"session,omitempty"`
	Metrics         *DomainConfig   `json:"metrics,omitempty"`
	Memory          *DomainConfig   `json:"memory,omitempty"`
	Learning        *DomainConfig   `json:"learning,omitempty"`
	Evals           *DomainConfig   `json:"evals,omitempty"`
	Traces          *DomainConfig   `json:"traces,omitempty"`
	Knowledge       json.RawMessage `json:"knowledge,omitempty"`
	Agents          []AgentSummary  `json:"agents"`
	Teams           []AgentSummary  `json:"teams"`
	Workflows       []AgentSummary  `json:"workflows"`
	Interfaces      []Interface     `json:"interfaces"`

	Raw json.RawMessage `json:"-"` // the body as received
}

// DomainConfig lists the databases and tables that hold one kind of data.
type DomainConfig struct {
	DisplayName string           `json:"display_name,omitempty"`
	DBs         []DomainDatabase `json:"dbs"`
}

// DomainDatabase is one database entry of a DomainConfig.
type DomainDatabase struct {
	DBID         string `json:"db_id"`
	DomainConfig struct {
		DisplayName string `json:"display_name,omitempty"`
	} `json:"domain_config"`
	Tables []string `json:"tables,omitempty"`
}

// AgentSummary is an agent, team or workflow as GET /config lists it.
type AgentSummary struct {
	ID          string          `json:"id"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	DBID        string          `json:"db_id,omitempty"`
	Model       *Model          `json:"model,omitempty"`
	Metadata    json.RawMessage `json:"metadata,omitempty"`
}

// Model is a model id and its provider, as GET /models and GET /config
// list them.
type Model struct {
	ID       string `json:"id,omitempty"`
	Provider string `json:"provider,omitempty"`
}

// Interface is a mounted interface listed by GET /config.
type Interface struct {
	Type    string `json:"type"`
	Version string `json:"version,omitempty"`
	Route   string `json:"route,omitempty"`
}

// Health calls GET /health, which needs no authentication.
func (c *Client) Health(ctx context.Context, opts ...RequestOption) (*Health, error) {
	var out Health
	err := c.do(ctx, &request{method: http.MethodGet, path: "/health", opts: opts}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Home calls GET /, which names the server.
func (c *Client) Home(ctx context.Context, opts ...RequestOption) (*Home, error) {
	var out Home
	err := c.do(ctx, &request{method: http.MethodGet, path: "/", opts: opts}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Info calls GET /info.
func (c *Client) Info(ctx context.Context, opts ...RequestOption) (*Info, error) {
	var out Info
	err := c.do(ctx, &request{method: http.MethodGet, path: "/info", opts: opts}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Config calls GET /config.
func (c *Client) Config(ctx context.Context, opts ...RequestOption) (*Config, error) {
	var raw json.RawMessage
	err := c.do(ctx, &request{method: http.MethodGet, path: "/config", opts: opts}, &raw)
	if err != nil {
		return nil, err
	}
	var out Config
	if err := decodeRaw(raw, &out, "GET /config"); err != nil {
		return nil, err
	}
	out.Raw = raw
	return &out, nil
}

// Models calls GET /models, the distinct models used by agents and teams.
func (c *Client) Models(ctx context.Context, opts ...RequestOption) ([]Model, error) {
	var out []Model
	err := c.do(ctx, &request{method: http.MethodGet, path: "/models", opts: opts}, &out)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MigrateDatabase calls POST /databases/{db_id}/migrate. An empty
// targetVersion selects the latest version.
func (c *Client) MigrateDatabase(
	ctx context.Context, dbID, targetVersion string, opts ...RequestOption,
) error {
	body := map[string]any{"target_version": nil}
	if targetVersion != "" {
		body["target_version"] = targetVersion
	}
	data, err := jsonBody(body)
	if err != nil {
		return err
	}
	return c.do(ctx, &request{
		method:      http.MethodPost,
		path:        pathf("/databases/%s/migrate", dbID),
		body:        data,
		contentType: "application/json",
		opts:        opts,
	}, nil)
}
