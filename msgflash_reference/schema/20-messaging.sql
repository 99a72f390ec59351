-- Messaging area: templates, campaigns, published statuses, number lookups and the delivery simulator's queue.
-- New tables only (messages and webhooks live in 00-core.sql). Idempotent; timestamps in the API format.

CREATE TABLE IF NOT EXISTS templates (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,               -- 'text' | 'image' | 'video' | 'audio' | 'document'
  body TEXT,
  media_url TEXT,
  variables TEXT NOT NULL,          -- JSON array of placeholders found in body, e.g. ["contact.firstName"]
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS templates_by_created ON templates(workspace_id, created_at, id);

CREATE TABLE IF NOT EXISTS campaigns (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  user_id TEXT NOT NULL,            -- who created it (user.* context of template mode)
  instance_id TEXT NOT NULL,
  name TEXT NOT NULL,
  template_id TEXT,                 -- template mode
  type TEXT,                        -- direct mode
  body TEXT,
  media_url TEXT,
  content TEXT,                     -- JSON: title, description, footer, buttons of a buttons campaign
  schedule TEXT NOT NULL,           -- start date as given (normalised to the API format)
  repeat TEXT,                      -- as given: 'none' | 'noe' | 'daily' | 'weekly' | NULL
  status TEXT NOT NULL,             -- 'scheduled' | 'running' | 'paused' | 'completed'
  recipients TEXT NOT NULL,         -- JSON object as given
  template_variables TEXT,          -- JSON object (custom.* values) or NULL
  safety TEXT,                      -- JSON object of the last safety evaluation
  next_run_at TEXT,                 -- start of the next occurrence; NULL once the last one started
  pending_contacts TEXT NOT NULL DEFAULT '[]',  -- JSON array: contacts of the current occurrence not yet enqueued
  planned INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,            -- recipients gone (deleted contact) before their turn
  processing_started_at TEXT,
  last_enqueued_at TEXT,
  completed_at TEXT,
  cancelled_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS campaigns_open ON campaigns(status, next_run_at);
CREATE INDEX IF NOT EXISTS messages_by_campaign ON messages(campaign_id, status);

CREATE TABLE IF NOT EXISTS published_statuses (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  user_id TEXT,
  instance_id TEXT NOT NULL,
  type TEXT NOT NULL,               -- 'text' | 'image'
  content TEXT NOT NULL,
  caption TEXT,
  background_color TEXT,
  provider_message_id TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS number_lookups (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  mode TEXT NOT NULL,               -- 'sync' | 'async'
  status TEXT NOT NULL,             -- 'pending' | 'processing' | 'done' | 'failed' | 'cancelled'
  numbers TEXT NOT NULL,            -- JSON array, the numbers as given
  requested_count INTEGER NOT NULL,
  processed_count INTEGER NOT NULL DEFAULT 0,
  normalized_count INTEGER NOT NULL DEFAULT 0,
  checked_count INTEGER NOT NULL DEFAULT 0,
  on_whatsapp TEXT NOT NULL DEFAULT '[]',      -- JSON arrays of the result so far
  not_on_whatsapp TEXT NOT NULL DEFAULT '[]',
  invalid TEXT NOT NULL DEFAULT '[]',
  error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  completed_at TEXT
);
CREATE INDEX IF NOT EXISTS number_lookups_by_created ON number_lookups(workspace_id, created_at, id);
CREATE INDEX IF NOT EXISTS number_lookups_open ON number_lookups(status, updated_at);

-- The delivery simulator's queue: one row per outbound message still moving (queued -> sent -> delivered).
CREATE TABLE IF NOT EXISTS message_deliveries (
  message_id TEXT PRIMARY KEY,
  stage TEXT NOT NULL,              -- 'dispatch' (hand to the provider) | 'deliver'
  due_at TEXT NOT NULL,
  scheduled INTEGER NOT NULL DEFAULT 0  -- 1: a scheduled message (plan and quota are checked again at dispatch)
);
CREATE INDEX IF NOT EXISTS message_deliveries_due ON message_deliveries(due_at);
