package apiclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	json "github.com/go-json-experiment/json"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/servertext"
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
	body, err := c.do(ctx, http.MethodGet, userSessionsConfigPath, nil, nil)
	if err != nil {
		return nil, err
	}
	cfg, err := decodeUserSessionsConfig(body)
	if err != nil {
		return nil, c.unusableAnswer(userSessionsConfigPath, "the cluster's answer is not a complete user sessions configuration",
			"nothing of this answer was stored; the URL may not be the cluster's own", FailureURL, err)
	}
	// A policy the API forbids would otherwise reach state, generated configuration and, through
	// restore_on_destroy, the cluster again.
	if err := cfg.Validate(); err != nil {
		return nil, c.unusableAnswer(userSessionsConfigPath, "the cluster answered a user sessions configuration the API does not allow",
			"nothing of this answer was stored; correct the policy in the Cluster Management Console "+
				"(or with PUT /clusterConfig/userSessions), then run again", FailureOther, err)
	}
	return cfg, nil
}

// unusableAnswer is the error of a 2xx answer to GET path that cannot be used: what is wrong
// (what, then err), shown as all server text is, and what to change (hint, may be "").
func (c *Client) unusableAnswer(path, what, hint string, kind FailureKind, err error) *RequestError {
	return &RequestError{Call: Call{Cluster: c.name, Method: http.MethodGet, Path: APIBasePath + path},
		Reason: c.scrub.Show(what+": "+err.Error(), servertext.Value), Hint: hint, Kind: kind, err: err}
}

// UpdateUserSessionsConfig replaces the cluster's session policy (PUT
// /clusterConfig/userSessions). Any 2xx answer is success: the API documents 200, and examples
// show 204. A body in the answer is ignored.
func (c *Client) UpdateUserSessionsConfig(ctx context.Context, cfg UserSessionsConfig) error {
	// A policy the API forbids is never sent, whoever asks: the cluster may accept what its
	// documentation forbids, and a restore must not put such a policy back.
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("the user sessions configuration was not sent, the API does not allow it: %w", err)
	}
	body, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("encoding the user sessions configuration: %w", err)
	}
	_, err = c.do(ctx, http.MethodPut, userSessionsConfigPath, nil, body)
	return err
}

// ListUserSessions lists the sessions of userID, or of every user when userID is ""
// (GET /userSessions[?userId=]), in the server's order. The answer for a user without sessions is
// undocumented, so each that can mean "none" is an empty list: 200 with [] or null, 200 or 204
// with no body, 404 for a filtered list (a 404 for every user means a wrong path: an error).
// Sessions of other users in a filtered answer (a proxy that lost userId) are left out and
// counted in otherUsers; a session is the user's when its id is the same in NFC (SameUser). A 404
// means "no sessions" only when it is the API's own (IsNotFound).
func (c *Client) ListUserSessions(ctx context.Context, userID string) (sessions []UserSession, otherUsers int, err error) {
	var query url.Values
	if userID != "" {
		query = url.Values{"userId": {userID}}
	}
	body, err := c.do(ctx, http.MethodGet, userSessionsPath, query, nil)
	if err != nil {
		if userID != "" && IsNotFound(err) {
			return []UserSession{}, 0, nil
		}
		return nil, 0, err
	}
	sessions, err = decodeUserSessions(body)
	if err != nil {
		return nil, 0, c.unusableAnswer(userSessionsPath, "the cluster's answer is not a list of user sessions", "", FailureOther, err)
	}
	if userID == "" {
		return sessions, 0, nil
	}
	kept := sessions[:0]
	for _, s := range sessions {
		if SameUser(s.UserID, userID) {
			kept = append(kept, s)
		}
	}
	return kept, len(sessions) - len(kept), nil
}

// Removal is what RemoveUserSessions achieved: NoneFound, the first attempt's 404 (nothing to
// end); AfterLostAnswer, a 404 to a retry after an attempt whose answer was lost, which most
// likely ended them.
type Removal struct {
	NoneFound, AfterLostAnswer bool
}

// RemoveUserSessions ends every session of userID (DELETE /userSessions?userId=), sent exactly as
// given. The API's own 404 (no sessions, with its error envelope: IsNotFound) is not an error: Removal says whether there was nothing to end, or whether a
// retry after a lost answer found the sessions already gone.
func (c *Client) RemoveUserSessions(ctx context.Context, userID string) (Removal, error) {
	if userID == "" {
		return Removal{}, errors.New("removing user sessions needs a user id")
	}
	_, err := c.do(ctx, http.MethodDelete, userSessionsPath, url.Values{"userId": {userID}}, nil)
	if IsNotFound(err) {
		// A 404 is not a gateway's answer: the call is uncertain only through an earlier attempt.
		lost := OutcomeUnknown(err)
		return Removal{NoneFound: !lost, AfterLostAnswer: lost}, nil
	}
	return Removal{}, err
}
