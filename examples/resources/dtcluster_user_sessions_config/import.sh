# The cluster has a single user sessions configuration; its import id is always user_sessions.
terraform import dtcluster_user_sessions_config.this user_sessions
