-- Saved fleet-action bodies a company starts again and again ("Reboot with a 1 % canary").
-- `body` is a POST /fleets/{id}/actions body as its author sent it (validated on every write),
-- so defaults added to the request schema later apply to templates saved before.

create table action_templates (
  id text primary key,
  company_id text not null references companies (id) on delete cascade,
  name text not null,
  description text,
  body jsonb not null,
  created_by text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (company_id, name)
);
