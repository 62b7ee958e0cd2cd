package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

var _ resource.ResourceWithIdentity = (*userSessionsConfigResource)(nil)

// userSessionsConfigIdentity identifies the session policy: a singleton per cluster, so the
// cluster itself is its identity, as cloud providers identify a per-account singleton by account.
type userSessionsConfigIdentity struct {
	ClusterURL types.String `tfsdk:"cluster_url"`
}

// IdentitySchema declares the identity: the cluster's normalised base URL.
func (r *userSessionsConfigResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"cluster_url": identityschema.StringAttribute{
				RequiredForImport: true,
				Description: "The cluster's base URL, normalised: scheme and host (lower case) and port, without a " +
					"trailing / or the /api/cluster/v2 suffix, such as https://cmc.example.com. It must be the " +
					"cluster the provider configuration points at.",
			},
		},
	}
}

// setIdentity records the cluster the client talks to as the resource's identity. identity is
// nil where Terraform does not support identities (before 1.12, OpenTofu).
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, client *apiclient.Client, diags *diag.Diagnostics) {
	if identity == nil || client == nil {
		return
	}
	diags.Append(identity.Set(ctx, userSessionsConfigIdentity{ClusterURL: types.StringValue(client.ClusterURL())})...)
}

// checkImportIdentity accepts an import by identity only for the cluster the provider is
// configured for: importing another cluster's policy through this configuration would manage the
// wrong cluster.
func checkImportIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, client *apiclient.Client, diags *diag.Diagnostics) {
	var id userSessionsConfigIdentity
	diags.Append(identity.Get(ctx, &id)...)
	if diags.HasError() {
		return
	}
	named, err := apiclient.ClusterURLOf(id.ClusterURL.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("cluster_url"), "Invalid Import Identity", "cluster_url: "+err.Error())
		return
	}
	if configured := client.ClusterURL(); named != configured {
		diags.AddAttributeError(path.Root("cluster_url"), "Import Identity Names Another Cluster", fmt.Sprintf(
			"The import identity names the cluster %s, but this provider configuration manages %s. Import through a "+
				"provider configuration for %s (a provider alias), or set cluster_url = %q.",
			named, configured, named, configured))
	}
}

// warnMove says that state recorded for the cluster at was moves, through previous_hosts, to
// now: nothing else would show it (the plan says "No changes"), and if now is another live
// cluster, the first is left unmanaged and a destroy writes the first one's policy onto now.
func warnMove(was, now string, diags *diag.Diagnostics) {
	diags.AddAttributeWarning(path.Root("cluster_url"), "State Moves to Another Cluster URL", fmt.Sprintf(
		"This dtcluster_user_sessions_config was recorded for %s and now moves to %s, because previous_hosts names %s "+
			"as an earlier URL of the same cluster. Its restore_policy (what restore_on_destroy puts back) was recorded "+
			"on %s.\n\nIf %s is the same cluster at a new URL, this is expected: apply once, then remove previous_hosts. "+
			"If it is a different cluster, remove previous_hosts now: %s would be left unmanaged, and a destroy would "+
			"write its pre-Terraform policy onto %s.", was, now, was, was, now, was, now))
}

// checkCluster reports whether state recorded for the cluster at recorded may be used with
// client: it is client's cluster, or one of the URLs it had before (previous_hosts: a warning
// names both URLs, see warnMove). Otherwise
// it adds an error naming both, and nothing may be read from or written to either. A state
// without a recorded cluster (an object from before cluster_url existed) is accepted, and records
// the client's cluster on its next read.
func checkCluster(client *apiclient.Client, recorded types.String, diags *diag.Diagnostics) bool {
	if !isSet(recorded) || recorded.ValueString() == client.ClusterURL() {
		return true
	}
	if client.KnownAs(recorded.ValueString()) {
		warnMove(recorded.ValueString(), client.ClusterURL(), diags)
		return true
	}
	was, now := recorded.ValueString(), client.ClusterURL()
	diags.AddAttributeError(path.Root("cluster_url"), "State Belongs to Another Cluster", fmt.Sprintf(
		"This dtcluster_user_sessions_config was recorded in state for the cluster %s, but the provider is configured "+
			"for %s (host, or DYNATRACE_CLUSTER_URL / DT_CLUSTER_URL). Nothing was read from or written to either "+
			"cluster.\n\nIf the state belongs to %s, point host back at it. If %s is the same cluster reached at a new "+
			"URL, add previous_hosts = [%q] to the provider block for the next apply, which records the new URL (then "+
			"remove it). To manage %s too, give it a state (or a provider alias and a resource) of its own.",
		was, now, was, now, was, now))
	return false
}
