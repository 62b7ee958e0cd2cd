package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
	"github.com/dtcluster/terraform-provider-dtcluster/internal/emulator"
)

var benchSizes = []int{1_000, 10_000, 100_000}

// seededJSON is the API's answer for n seeded sessions, encoded once so that the benchmark
// measures the provider's read path, not the emulator's encoding.
func seededJSON(tb testing.TB, n int) []byte {
	tb.Helper()
	body, err := json.Marshal(emulator.SeedSessions(n))
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// BenchmarkUserSessionsRead is the data source's whole read path as Terraform drives it: the
// ReadDataSource RPC of the provider's protocol server, the HTTP request over loopback, JSON
// decoding, sorting and the state encoded as msgpack.
func BenchmarkUserSessionsRead(b *testing.B) {
	benchmarkRead(b, func(p *protocolServer, _ string) tfprotov6.ProviderServer { return p })
}

// benchmarkRead times ReadDataSource of every session at each size, on the server that pick
// returns (given the provider's protocol server, configured, and the URL it talks to).
func benchmarkRead(b *testing.B, pick func(p *protocolServer, url string) tfprotov6.ProviderServer) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			body := seededJSON(b, n)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			}))
			defer srv.Close()
			p := newProtocolServer(b, srv.URL, emulator.DefaultToken)
			server := pick(p, srv.URL)
			typ := p.schema.DataSourceSchemas[userSessionsTypeName].ValueType()
			req := &tfprotov6.ReadDataSourceRequest{TypeName: userSessionsTypeName, Config: p.dynamicValue(b, typ, map[string]tftypes.Value{})}
			ctx := context.Background()
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			for range b.N {
				resp, err := server.ReadDataSource(ctx, req)
				if err != nil || hasError(resp.Diagnostics) {
					b.Fatalf("read: %v %s", err, diagText(resp.Diagnostics))
				}
			}
		})
	}
}

// BenchmarkSessionsState is the provider's own part alone: filtering and sorting the decoded
// sessions and writing the state as msgpack.
func BenchmarkSessionsState(b *testing.B) {
	reader, err := newSessionsReader(sessionsStateType(b))
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			var seeded []apiclient.UserSession
			if err := json.Unmarshal(seededJSON(b, n), &seeded); err != nil {
				b.Fatal(err)
			}
			sessions := make([]apiclient.UserSession, n)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				copy(sessions, seeded)
				if len(reader.writer.write(sessionsQuery{}, sessionsQuery{}.selectSessions(sessions))) == 0 {
					b.Fatal("no state")
				}
			}
		})
	}
}
