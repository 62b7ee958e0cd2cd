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
// The answer is decoded strictly: both objects and all four fields must be present and not null,
// with the API's exact key names, or the call fails naming what is missing; a policy read as
// zeros would otherwise reach state and, through restore_on_destroy, the cluster.
func (c *Client) GetUserSessionsConfig(ctx context.Context) (*UserSessionsConfig, error) {
	ans, err := c.do(ctx, http.MethodGet, userSessionsConfigPath, nil, nil)
	if err != nil {
		return nil, err
	}
	cfg, err := decodeUserSessionsConfig(ans.body)
	if err != nil {
		return nil, &RequestError{Method: http.MethodGet, Path: APIBasePath + userSessionsConfigPath,
			Reason: c.scrub.scrub("the cluster's answer is not a complete user sessions configuration: " + err.Error()),
			Hint:   "no value was changed or stored; check that host is the cluster's own URL", err: err}
	}
	return cfg, nil
}

// UpdateUserSessionsConfig replaces the cluster's session policy (PUT
// /clusterConfig/userSessions). Any 2xx answer is success: the API documents 200, and examples
// show 204. A body in the answer is ignored.
func (c *Client) UpdateUserSessionsConfig(ctx context.Context, cfg UserSessionsConfig) error {
	body, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("encoding the user sessions configuration: %w", err)
	}
	_, err = c.do(ctx, http.MethodPut, userSessionsConfigPath, nil, body)
	return err
}

// ListUserSessions lists the sessions of userID, or of every user when userID is ""
// (GET /userSessions[?userId=]). The order is the server's.
//
// What the API answers for a user without sessions is not documented, so every answer that can
// mean "none" is an empty list: 200 with [] or null, 200 or 204 with no body, and 404 for a
// filtered list (DELETE answers 404 then). A 404 for the unfiltered list stays an error: it means
// the path is wrong, not that nobody is logged in.
func (c *Client) ListUserSessions(ctx context.Context, userID string) ([]UserSession, error) {
	var query url.Values
	if userID != "" {
		query = url.Values{"userId": {userID}}
	}
	ans, err := c.do(ctx, http.MethodGet, userSessionsPath, query, nil)
	if err != nil {
		if userID != "" && IsNotFound(err) {
			return []UserSession{}, nil
		}
		return nil, err
	}
	sessions, err := decodeUserSessions(ans.body)
	if err != nil {
		return nil, &RequestError{Method: http.MethodGet, Path: APIBasePath + userSessionsPath,
			Reason: c.scrub.scrub("the cluster's answer is not a list of user sessions: " + err.Error()), err: err}
	}
	return sessions, nil
}

// RemoveUserSessions ends every session of userID (DELETE /userSessions?userId=). When the user
// has no sessions the API answers 404: IsNotFound then holds for the error, so callers can treat
// it as success.
func (c *Client) RemoveUserSessions(ctx context.Context, userID string) error {
	if userID == "" {
		return errors.New("removing user sessions needs a user id")
	}
	_, err := c.do(ctx, http.MethodDelete, userSessionsPath, url.Values{"userId": {userID}}, nil)
	return err
}
