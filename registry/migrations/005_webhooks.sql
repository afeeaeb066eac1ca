-- Webhooks: a company's receivers of bulk-response events, the events as prepared for delivery
-- (the body is frozen once, so every attempt and every receiver gets the same bytes), and every
-- delivery attempt with its outcome.

-- The secret is a shared secret the service signs with, so it is kept readable here; the API
-- shows it only in the answer to the create.
create table webhooks (
  id text primary key,
  company_id text not null references companies (id) on delete cascade,
  url text not null,
  events text[] not null,
  secret text not null,
  created_at timestamptz not null default now()
);
create index webhooks_company on webhooks (company_id, id);

create table webhook_events (
  id text primary key,
  company_id text not null references companies (id) on delete cascade,
  bulk_response_id text not null,
  event text not null,
  body text not null,
  occurred_at timestamptz not null,
  created_at timestamptz not null default now()
);

create table webhook_deliveries (
  webhook_id text not null references webhooks (id) on delete cascade,
  event_id text not null references webhook_events (id) on delete cascade,
  attempt integer not null,
  bulk_response_id text not null,
  event text not null,
  outcome text not null check (outcome in ('delivered', 'failed', 'refused')),
  status_code integer,
  error text,
  started_at timestamptz not null,
  finished_at timestamptz not null default now(),
  primary key (webhook_id, event_id, attempt)
);
create index webhook_deliveries_recent on webhook_deliveries (webhook_id, started_at desc);
