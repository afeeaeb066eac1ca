-- The audit trail: who started, steered or changed what, from where, with which result. Append
-- only: the service has no path that updates or deletes an entry, and the registry refuses both
-- (and TRUNCATE) with the triggers below. The one exception is a company's deletion, which no API
-- offers: its entries go with it (the foreign key's cascade), as everything else of it does.
-- The actor is copied, not referenced: an entry keeps naming a user who was deleted since.

create table audit_entries (
  id text primary key,
  company_id text not null references companies (id) on delete cascade,
  at timestamptz not null default now(),
  actor_user_id text not null,
  actor_email text not null,
  actor_role text not null,
  address text not null,
  action text not null,
  method text not null,
  path text not null,
  object_type text not null,
  object_id text,
  created_bulk_response_id text,
  request jsonb,
  status_code integer not null
);
create index audit_entries_company_at on audit_entries (company_id, at desc, id desc);
create index audit_entries_object on audit_entries (company_id, object_id);
create index audit_entries_created on audit_entries (company_id, created_bulk_response_id);
create index audit_entries_actor_id on audit_entries (company_id, actor_user_id, at desc);
create index audit_entries_actor_email on audit_entries (company_id, actor_email, at desc);

-- A cascade from companies runs after the company row is gone, so only then may entries go.
create function audit_entries_refuse_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' and not exists (select 1 from companies c where c.id = old.company_id) then
    return old;
  end if;
  raise exception 'audit entries are append-only: % refused', tg_op using errcode = '42501';
end
$$;

create trigger audit_entries_append_only before update or delete on audit_entries
  for each row execute function audit_entries_refuse_change();

create function audit_entries_refuse_truncate() returns trigger language plpgsql as $$
begin
  raise exception 'audit entries are append-only: TRUNCATE refused' using errcode = '42501';
end
$$;

create trigger audit_entries_no_truncate before truncate on audit_entries
  for each statement execute function audit_entries_refuse_truncate();
