package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
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
// ReadDataSource RPC, the HTTP request over loopback, JSON decoding, sorting, building the list
// as framework values and encoding the new state for the protocol.
func BenchmarkUserSessionsRead(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			body := seededJSON(b, n)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			}))
			defer srv.Close()
			p := newProtocolServer(b, srv.URL, emulator.DefaultToken)
			typ := p.schema.DataSourceSchemas["dtcluster_user_sessions"].ValueType()
			req := &tfprotov6.ReadDataSourceRequest{
				TypeName: "dtcluster_user_sessions",
				Config:   p.dynamicValue(b, typ, map[string]tftypes.Value{}),
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			for range b.N {
				resp, err := p.ReadDataSource(ctx, req)
				if err != nil || hasError(resp.Diagnostics) {
					b.Fatalf("read: %v %s", err, diagText(resp.Diagnostics))
				}
			}
		})
	}
}

// BenchmarkSessionsState is the provider's own part alone: sorting and building the state.
func BenchmarkSessionsState(b *testing.B) {
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
				sortSessions(sessions)
				if v := sessionsState(types.StringNull(), sessions); !v.IsKnown() {
					b.Fatal("unknown state")
				}
			}
		})
	}
}
