package provider

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

// fleet is every cluster one provider configuration governs: the default cluster (host and
// token, or their environment variables), when there is one, and the named entries of clusters.
// A named cluster's client is built on its first use and reused after, so a configuration of many
// clusters pays only for those a run touches; every client is safe for concurrent use, and
// Terraform's own parallelism (-parallelism, 10 by default) bounds how many requests run at once.
type fleet struct {
	defaultClient *apiclient.Client
	named         map[string]*fleetEntry
}

// fleetEntry is one named cluster: its URLs, checked at Configure, and its client, built once.
type fleetEntry struct {
	url      string   // its normalised URL
	previous []string // the URLs it had before (previous_hosts), normalised
	build    func() (*apiclient.Client, error)
	once     sync.Once
	client   *apiclient.Client
	err      error
}

// clusterNamePattern is what a name in clusters may be: it is also part of an environment
// variable's name (clusterTokenEnvVar).
var clusterNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// clusterTokenEnvVar is the environment variable a named cluster's token comes from when its
// entry gives none: DYNATRACE_CLUSTER_API_TOKEN_ and the name in upper case, - as _.
func clusterTokenEnvVar(name string) string {
	return tokenEnvVars[0] + "_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// get builds the entry's client on the first call.
func (e *fleetEntry) get() (*apiclient.Client, error) {
	e.once.Do(func() { e.client, e.err = e.build() })
	return e.client, e.err
}

// knownAs reports whether url (a cluster URL) names the entry's cluster, as apiclient.Client's
// KnownAs does, without building the client.
func (e *fleetEntry) knownAs(url string) bool {
	return e.url == url || slices.Contains(e.previous, url)
}

// names are the named clusters, sorted.
func (f *fleet) names() []string { return slices.Sorted(maps.Keys(f.named)) }

// knownNames lists the clusters an object can name, for an error.
func (f *fleet) knownNames() string {
	if len(f.named) == 0 {
		return "the provider has no clusters block, only its default cluster"
	}
	quoted := make([]string, 0, len(f.named))
	for _, n := range f.names() {
		quoted = append(quoted, fmt.Sprintf("%q", n))
	}
	return "the provider's clusters are " + strings.Join(quoted, ", ")
}

// client is the client of the cluster name (null: the default cluster). An unknown name, or no
// default cluster, is an error at the attribute at, naming what the object can use; so is a
// fleet not configured yet. name must be known.
func (f *fleet) client(name types.String, at path.Path, diags *diag.Diagnostics) *apiclient.Client {
	switch {
	case f == nil:
		notConfigured(diags)
		return nil
	case name.IsNull() && f.defaultClient == nil:
		diags.AddAttributeError(at, "No Default Cluster", fmt.Sprintf("%s is not set, and the provider has no default "+
			"cluster (host and token in the provider block, or DYNATRACE_CLUSTER_URL and DYNATRACE_CLUSTER_API_TOKEN). "+
			"Set %s to one of the provider's clusters (%s), or set host.", at, at, strings.TrimPrefix(f.knownNames(), "the provider's clusters are ")))
		return nil
	case name.IsNull():
		return f.defaultClient
	}
	entry, ok := f.named[name.ValueString()]
	if !ok {
		diags.AddAttributeError(at, "Unknown Cluster", fmt.Sprintf("%s = %q names no cluster of the provider: %s. "+
			"Name one of them, or add %q to clusters in the provider block.", at, name.ValueString(), f.knownNames(), name.ValueString()))
		return nil
	}
	client, err := entry.get()
	if err != nil {
		diags.AddAttributeError(at, "Invalid Cluster Configuration", fmt.Sprintf("clusters[%q]: %s", name.ValueString(), err))
		return nil
	}
	return client
}

// owner is the cluster that state recorded for the cluster at recorded belongs to: name when
// set; else the default cluster when there is none recorded or it is the default's; else the
// named cluster whose URL (or previous URL) it is, so that state moved from a provider alias to
// an entry of clusters (a moved block) finds its cluster by the URL it recorded. When none
// matches, null: the default, and checkCluster then names both clusters.
func (f *fleet) owner(name, recorded types.String) types.String {
	if !name.IsNull() || f == nil {
		return name
	}
	if !isSet(recorded) || (f.defaultClient != nil && f.defaultClient.KnownAs(recorded.ValueString())) {
		return name
	}
	for _, n := range f.names() {
		if f.named[n].knownAs(recorded.ValueString()) {
			return types.StringValue(n)
		}
	}
	return name
}

// clusterDescription describes the cluster attribute of every object.
const clusterDescription = "The cluster to use: the name of one of the provider's `clusters` (fleet mode). Unset: " +
	"the provider's default cluster (`host` and `token`). A name that is not in `clusters` is an error at plan, " +
	"naming the clusters there are."

// planCluster reports, at plan, an object's cluster that the provider cannot serve (a name not in
// clusters, or none and no default cluster). Nothing is said while the name or the provider's
// configuration is not known yet: the operation that needs the cluster says it then.
func planCluster(clusters *fleet, name types.String, diags *diag.Diagnostics) {
	if clusters == nil || name.IsUnknown() {
		return
	}
	clusters.client(name, path.Root("cluster"), diags)
}

// clusterName is the cluster attribute's value for client: its name in clusters, null for the
// default cluster.
func clusterName(client *apiclient.Client) types.String {
	if client.Name() == "" {
		return types.StringNull()
	}
	return types.StringValue(client.Name())
}
