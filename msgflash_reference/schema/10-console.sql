-- Console side of the reference server: the sandbox outbox and checkout sessions. Idempotent, like 00-core.

-- The e-mails the server "sent" (verification, password reset, team invitations). Nothing leaves the
-- machine: GET /__sandbox/outbox reads them. `token` is the raw secret the mail carries (the tables the
-- token is checked against keep only its hash).
CREATE TABLE IF NOT EXISTS outbox (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE,
  kind TEXT NOT NULL,               -- 'verify_email' | 'reset_password' | 'team_invitation'
  subject TEXT NOT NULL,
  token TEXT,
  payload TEXT NOT NULL,            -- JSON object: link, teamId, invitationId, ...
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_email ON outbox(email, created_at);

-- Console checkout sessions (POST /api/billing/checkout); completed only by the sandbox (no real provider).
CREATE TABLE IF NOT EXISTS checkout_sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  plan_code TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open',  -- 'open' | 'completed'
  created_at TEXT NOT NULL,
  completed_at TEXT
);
