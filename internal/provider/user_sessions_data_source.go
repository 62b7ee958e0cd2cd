package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dtcluster/terraform-provider-dtcluster/internal/apiclient"
)

var _ datasource.DataSourceWithConfigure = (*userSessionsDataSource)(nil)

// NewUserSessionsDataSource returns the dtcluster_user_sessions data source.
func NewUserSessionsDataSource() datasource.DataSource {
	return &userSessionsDataSource{}
}

type userSessionsDataSource struct {
	client *apiclient.Client
}

type userSessionsDataSourceModel struct {
	UserID types.String `tfsdk:"user_id"`
}

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
			"or of one. One request per read. The list is ordered by `user_id`, then `creation_time` (oldest " +
			"first), then `session_id`, so plans stay stable whatever order the cluster answers in. An empty " +
			"result is an empty list.",
		Attributes: map[string]schema.Attribute{
			"user_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the sessions of this user (API query parameter `userId`). Leave it out for every session on the cluster. Must not be empty.",
				Validators:          userIDValidators(),
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
					"login_type":              computedString("How the user logged in: `LOCAL`, `LDAP`, `SSO_MANAGED` or `DEVOPSTOKEN` (`loginType`)."),
					"device":                  computedString("The user's device or browser (`device`); null when not reported."),
					"ip":                      computedString("The user's IP address (`ip`); null when not reported."),
				}},
			},
		},
	}
}

func (d *userSessionsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *userSessionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data userSessionsDataSourceModel
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("user_id"), &data.UserID)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.client == nil {
		notConfigured(&resp.Diagnostics)
		return
	}
	sessions, err := d.client.ListUserSessions(ctx, data.UserID.ValueString())
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to List User Sessions", err)
		return
	}
	sortSessions(sessions)
	// The state is built as terraform-plugin-go values in one pass: going through framework
	// values and State.Set cost twice the time and 60% more memory (BENCHMARKS.md).
	resp.State.Raw = sessionsState(data.UserID, sessions)
}
