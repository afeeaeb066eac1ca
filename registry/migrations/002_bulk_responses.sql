-- The stored side of a bulk response: written at start, updated in batches while the workflow
-- runs, and finalised when it ends, so it outlives the workflow's retention.

create table bulk_responses (
  id text primary key,
  company_id text not null references companies (id) on delete cascade,
  fleet_id text,
  action text not null,
  request jsonb not null,
  status text not null,
  counts jsonb not null,
  created_by text,
  parent_id text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  updated_at timestamptz not null default now(),
  completed_at timestamptz
);
create index bulk_responses_company on bulk_responses (company_id, created_at desc);

create table bulk_response_devices (
  bulk_response_id text not null references bulk_responses (id) on delete cascade,
  device_id text not null,
  unique_id text not null,
  status text not null,
  reason text,
  message text,
  attempts integer not null default 0,
  updated_at timestamptz not null default now(),
  primary key (bulk_response_id, device_id)
);
create index bulk_response_devices_status on bulk_response_devices (bulk_response_id, status, device_id);

create table idempotency_keys (
  company_id text not null references companies (id) on delete cascade,
  key text not null,
  request_hash text not null,
  bulk_response_id text not null,
  created_at timestamptz not null default now(),
  primary key (company_id, key)
);
