package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

var _ datasource.DataSource = (*userSessionsDataSource)(nil)

// NewUserSessionsDataSource returns the dtcluster_user_sessions data source.
func NewUserSessionsDataSource() datasource.DataSource {
	return &userSessionsDataSource{}
}

// userSessionsDataSource is the data source's schema and validation; its reads are answered by
// the provider's protocol server (dtclusterServer) with sessionsReader, the one read path.
type userSessionsDataSource struct{}

func (d *userSessionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_sessions"
}

func (d *userSessionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	computedInt := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The user sessions on the cluster (Cluster API v2 `GET /userSessions`), of every user " +
			"or of one, optionally filtered by login type, node, tenant and time. One request per read. The list is " +
			"ordered by `user_id`, then `creation_time` (oldest first), then `session_id`, so plans stay stable " +
			"whatever order the cluster answers in. An empty result is an empty list. The API filters by user " +
			"only; `login_type`, `node_id`, `tenant_uuid`, `created_before` and `last_accessed_before` are applied by " +
			"the provider to what it answers.",
		Attributes: map[string]schema.Attribute{
			"cluster": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: clusterDescription,
			},
			"user_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the sessions of this user (API query parameter `userId`). Leave it out for every session on the cluster. Must not be empty.",
				Validators:          userIDValidators(),
			},
			"login_type": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only sessions with this login type: " + loginTypesMarkdown() +
					" (the documented values). Another value gives a warning, not an error, as the cluster may report " +
					"new types. Applied by the provider.",
				Validators: []validator.String{loginTypeValidator{}},
			},
			"node_id": schema.NumberAttribute{
				Optional:            true,
				MarkdownDescription: "Only sessions held by this cluster node (a whole number from 0 to 2147483647). Applied by the provider.",
				Validators:          []validator.Number{wholeNumberBetween(0, apiclient.MaxNodeID)},
			},
			"tenant_uuid": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only sessions of this environment (the cluster's UUID for the Cluster Management " +
					"Console), in any letter case. Applied by the provider.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"created_before": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: timeDescriptions["created_before"] + " Applied by the provider.",
				Validators:          []validator.String{timeValidator{}},
			},
			"last_accessed_before": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: timeDescriptions["last_accessed_before"] + " Applied by the provider.",
				Validators:          []validator.String{timeValidator{}},
			},
			"exclude_personal_data": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "`true` leaves `ip` and `device` (personal data) null in every session, so they never " +
					"reach state or plan files. Default `false`.",
			},
			"session_count": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "How many sessions `sessions` holds (after the filters).",
			},
			"sessions_per_user": schema.MapAttribute{
				Computed:            true,
				ElementType:         types.Int64Type,
				MarkdownDescription: "The number of sessions of each user in `sessions`, by `user_id`.",
			},
			"sessions": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The sessions, ordered by `user_id`, `creation_time`, `session_id`.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"user_id":                 computedString("The user holding the session (`userId`)."),
					"node_id":                 computedInt("The cluster node holding the session (`nodeId`)."),
					"session_id":              computedString("The session's id (`sessionId`)."),
					"creation_time":           computedInt("When the session was created, in milliseconds since the Unix epoch (`creationTime`)."),
					"last_accessed_timestamp": computedInt("When the session was last used, in milliseconds since the Unix epoch (`lastAccessedTimestamp`); null when the cluster does not report it."),
					"tenant_uuid":             computedString("The environment the user logged in to; the cluster's UUID for the Cluster Management Console (`tenantUuid`)."),
					"login_type":              computedString("How the user logged in: " + loginTypesMarkdown() + " (`loginType`)."),
					"device":                  computedString("The user's device or browser (`device`); null when not reported."),
					"ip":                      computedString("The user's IP address (`ip`); null when not reported."),
				}},
			},
		},
	}
}

// Read is never called: dtclusterServer answers every read of this data source. Reaching it
// means the provider was served without that server, a defect.
func (d *userSessionsDataSource) Read(_ context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	resp.Diagnostics.AddError("Provider Defect", "The reads of "+userSessionsTypeName+" are answered by the provider's "+
		"protocol server, which this provider was served without. Please report it.")
}
