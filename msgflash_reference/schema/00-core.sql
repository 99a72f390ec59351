-- Core schema of the reference server. Applied at every start; every statement is idempotent.
-- Timestamps are TEXT in the API format (2026-04-01T10:00:00.000Z), so text order is time order.
-- Workspace-owned rows carry workspace_id (the user id for a personal workspace, the team id for a team one)
-- and owner_id (the account whose plan, caps and quotas apply: the team owner in a team workspace).

CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  full_name TEXT,
  password_hash TEXT,
  email_verified INTEGER NOT NULL DEFAULT 0,
  phone TEXT,
  display_name TEXT,
  avatar_url TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
);

-- One row per user: the personal subscription (Free when never paid).
CREATE TABLE IF NOT EXISTS subscriptions (
  user_id TEXT PRIMARY KEY REFERENCES users(id),
  plan_code TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  scheduled_plan TEXT,
  scheduled_plan_at TEXT,
  scheduled_action TEXT,            -- 'downgrade' | 'cancel' | NULL
  cancel_at_period_end INTEGER NOT NULL DEFAULT 0,
  billing_provider TEXT NOT NULL DEFAULT 'dodo',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Short-lived secrets mailed to users (e-mail verification, password reset); stored hashed.
CREATE TABLE IF NOT EXISTS email_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  purpose TEXT NOT NULL,            -- 'verify_email' | 'reset_password'
  expires_at TEXT NOT NULL,
  used_at TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS teams (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  owner_user_id TEXT NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT                   -- soft delete: the team and its keys stop working
);
CREATE INDEX IF NOT EXISTS teams_owner ON teams(owner_user_id);

-- The owner is a member row too (role 'owner'). removed_at set = left or removed (no longer active).
CREATE TABLE IF NOT EXISTS team_members (
  team_id TEXT NOT NULL REFERENCES teams(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  role TEXT NOT NULL,               -- 'owner' | 'admin' | 'collaborator'
  joined_at TEXT NOT NULL,
  removed_at TEXT,
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX IF NOT EXISTS team_members_user ON team_members(user_id);

CREATE TABLE IF NOT EXISTS team_invitations (
  id TEXT PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams(id),
  email TEXT NOT NULL COLLATE NOCASE,
  role TEXT NOT NULL,               -- 'admin' | 'collaborator'
  token_hash TEXT NOT NULL UNIQUE,
  invited_by_user_id TEXT NOT NULL REFERENCES users(id),
  status TEXT NOT NULL DEFAULT 'pending',  -- 'pending' | 'accepted' | 'revoked'
  expires_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  accepted_at TEXT
);
CREATE INDEX IF NOT EXISTS team_invitations_team ON team_invitations(team_id, status);
CREATE INDEX IF NOT EXISTS team_invitations_email ON team_invitations(email, status);

CREATE TABLE IF NOT EXISTS instance_assignments (
  team_id TEXT NOT NULL REFERENCES teams(id),
  instance_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  assigned_by_user_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (team_id, instance_id, user_id)
);

-- Personal keys: team_id NULL, user_id = the owner. Team keys: team_id set, user_id = who created it.
-- Only the sha256 of the secret is kept, plus a display prefix.
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  team_id TEXT REFERENCES teams(id),
  kind TEXT NOT NULL,               -- 'personal' | 'team'
  name TEXT NOT NULL,
  key_prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS api_keys_user ON api_keys(user_id);
CREATE INDEX IF NOT EXISTS api_keys_team ON api_keys(team_id);

CREATE TABLE IF NOT EXISTS api_key_usage (
  key_id TEXT NOT NULL REFERENCES api_keys(id),
  period_key TEXT NOT NULL,         -- YYYY-MM
  request_count INTEGER NOT NULL DEFAULT 0,
  last_request_at TEXT,
  PRIMARY KEY (key_id, period_key)
);

-- Monthly counters of the account that pays (the team owner for team traffic).
CREATE TABLE IF NOT EXISTS usage_counters (
  owner_id TEXT NOT NULL REFERENCES users(id),
  period_key TEXT NOT NULL,         -- YYYY-MM
  messages_count INTEGER NOT NULL DEFAULT 0,
  statuses_count INTEGER NOT NULL DEFAULT 0,
  api_requests_count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (owner_id, period_key)
);

CREATE TABLE IF NOT EXISTS payments (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  provider TEXT NOT NULL DEFAULT 'dodo',
  plan_code TEXT NOT NULL,
  plan_name TEXT NOT NULL,
  amount INTEGER NOT NULL,          -- minor units (900 = EUR 9)
  currency TEXT NOT NULL DEFAULT 'EUR',
  status TEXT NOT NULL,             -- 'succeeded' | 'failed' | 'refunded'
  period_start TEXT,
  period_end TEXT,
  team_id TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS payments_user ON payments(user_id, created_at);

CREATE TABLE IF NOT EXISTS instances (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  owner_id TEXT NOT NULL REFERENCES users(id),
  team_id TEXT,
  name TEXT NOT NULL,
  wa_number TEXT,
  status TEXT NOT NULL,             -- 'disconnected' | 'connecting' | 'connected'
  webhook TEXT,
  meta TEXT,                        -- JSON object or NULL
  health_score INTEGER NOT NULL DEFAULT 80,
  deleted_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS instances_workspace ON instances(workspace_id, created_at);

CREATE TABLE IF NOT EXISTS contacts (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  name TEXT NOT NULL,
  phone TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',  -- JSON array
  meta TEXT,                        -- JSON object or NULL
  temperature TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS contacts_by_created ON contacts(workspace_id, created_at, id);
CREATE INDEX IF NOT EXISTS contacts_by_name ON contacts(workspace_id, name, id);

CREATE TABLE IF NOT EXISTS contact_groups (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  color TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS contact_groups_by_created ON contact_groups(workspace_id, created_at, id);
CREATE INDEX IF NOT EXISTS contact_groups_owner ON contact_groups(owner_id);

CREATE TABLE IF NOT EXISTS group_members (
  group_id TEXT NOT NULL REFERENCES contact_groups(id) ON DELETE CASCADE,
  contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  added_at TEXT NOT NULL,
  PRIMARY KEY (group_id, contact_id)
);
CREATE INDEX IF NOT EXISTS group_members_order ON group_members(group_id, added_at, contact_id);
CREATE INDEX IF NOT EXISTS group_members_contact ON group_members(contact_id);

CREATE TABLE IF NOT EXISTS bulk_jobs (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  operation TEXT NOT NULL,          -- 'bulk_delete_contacts' | 'add_to_group' | 'remove_from_group'
  status TEXT NOT NULL,             -- 'pending' | 'processing' | 'done' | 'failed' | 'cancelled'
  requested_count INTEGER NOT NULL,
  processed_count INTEGER NOT NULL DEFAULT 0,
  group_id TEXT,
  contact_ids TEXT NOT NULL,        -- JSON array, the work list
  summary TEXT NOT NULL,            -- JSON object of running counts
  error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  completed_at TEXT
);
CREATE INDEX IF NOT EXISTS bulk_jobs_by_created ON bulk_jobs(workspace_id, created_at, id);
CREATE INDEX IF NOT EXISTS bulk_jobs_open ON bulk_jobs(status);

CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  user_id TEXT,
  instance_id TEXT NOT NULL,
  contact_id TEXT,
  campaign_id TEXT,
  direction TEXT NOT NULL,          -- 'outbound' | 'inbound'
  type TEXT NOT NULL,
  from_number TEXT,
  to_number TEXT NOT NULL,
  body TEXT,
  media_url TEXT,
  status TEXT NOT NULL,
  error TEXT,
  meta TEXT,                        -- JSON object or NULL
  provider_message_id TEXT,
  scheduled_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_created ON messages(workspace_id, created_at, id);

-- Webhook endpoints (routes come in a later issue; the table exists so the plan cap can count them).
CREATE TABLE IF NOT EXISTS webhooks (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  url TEXT NOT NULL,
  events TEXT NOT NULL,             -- JSON array
  secret TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE INDEX IF NOT EXISTS webhooks_workspace ON webhooks(workspace_id, created_at);
CREATE INDEX IF NOT EXISTS webhooks_owner ON webhooks(owner_id);
