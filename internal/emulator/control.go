package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// serveControl serves the /emulator/ endpoints.
func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + strings.TrimPrefix(r.URL.Path, ControlBasePath)
	switch route {
	case "POST /sessions":
		var in []UserSession
		if !decodeControl(w, r, &in) {
			return
		}
		added, err := e.AddSessions(in)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error(), nil)
			return
		}
		writeJSON(w, http.StatusCreated, added)
	case "POST /faults":
		var f Fault
		if !decodeControl(w, r, &f) {
			return
		}
		if err := e.InjectFault(f); err != nil {
			writeError(w, http.StatusBadRequest, err.Error(), nil)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "DELETE /faults":
		e.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	case "POST /chaos":
		var c Chaos
		if !decodeControl(w, r, &c) {
			return
		}
		if err := e.SetChaos(&c); err != nil {
			writeError(w, http.StatusBadRequest, err.Error(), nil)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "DELETE /chaos":
		_ = e.SetChaos(nil)
		w.WriteHeader(http.StatusNoContent)
	case "GET /requests":
		writeJSON(w, http.StatusOK, e.Requests())
	case "DELETE /requests":
		e.ClearRequests()
		w.WriteHeader(http.StatusNoContent)
	case "POST /reset":
		e.Reset()
		w.WriteHeader(http.StatusNoContent)
	default:
		writeError(w, http.StatusNotFound, "Unknown control endpoint "+route+
			"; there are POST /emulator/sessions, POST|DELETE /emulator/faults, POST|DELETE /emulator/chaos, GET|DELETE /emulator/requests, POST /emulator/reset", nil)
	}
}

func decodeControl(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "Could not map JSON: "+err.Error(), nil)
		return false
	}
	return true
}
