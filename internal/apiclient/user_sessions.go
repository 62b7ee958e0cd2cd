package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

const (
	userSessionsConfigPath = "/clusterConfig/userSessions"
	userSessionsPath       = "/userSessions"
)

// GetUserSessionsConfig reads the cluster's session policy (GET /clusterConfig/userSessions).
func (c *Client) GetUserSessionsConfig(ctx context.Context) (*UserSessionsConfig, error) {
	var cfg UserSessionsConfig
	if err := c.do(ctx, http.MethodGet, userSessionsConfigPath, nil, nil, &cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// UpdateUserSessionsConfig replaces the cluster's session policy (PUT
// /clusterConfig/userSessions). Any 2xx answer is success; the API documents 200 and answers 204.
func (c *Client) UpdateUserSessionsConfig(ctx context.Context, cfg UserSessionsConfig) error {
	body, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("encoding the user sessions configuration: %w", err)
	}
	return c.do(ctx, http.MethodPut, userSessionsConfigPath, nil, body, nil)
}

// ListUserSessions lists the sessions of userID, or of every user when userID is ""
// (GET /userSessions[?userId=]). The order is the server's.
func (c *Client) ListUserSessions(ctx context.Context, userID string) ([]UserSession, error) {
	var query url.Values
	if userID != "" {
		query = url.Values{"userId": {userID}}
	}
	var sessions []UserSession
	if err := c.do(ctx, http.MethodGet, userSessionsPath, query, nil, &sessions); err != nil {
		return nil, err
	}
	return sessions, nil
}

// RemoveUserSessions ends every session of userID (DELETE /userSessions?userId=). When the user
// has no sessions the API answers 404: the returned error then wraps ErrNoSessions (and
// IsNotFound holds), so callers can treat it as success.
func (c *Client) RemoveUserSessions(ctx context.Context, userID string) error {
	if userID == "" {
		return errors.New("removing user sessions needs a user id")
	}
	err := c.do(ctx, http.MethodDelete, userSessionsPath, url.Values{"userId": {userID}}, nil, nil)
	if IsNotFound(err) {
		return fmt.Errorf("%w: %w", ErrNoSessions, err)
	}
	return err
}
