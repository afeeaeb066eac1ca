-- Engine v3: a device's row is the one source of its truth, and a bulk response's counts are
-- maintained from those rows by the database itself, in the same statement that changes them.

-- What a dispatched device's row carries: when it was sent, until when an answer counts, when it
-- is sent again if silent, what it answered, and the stage of the rollout that took it.
alter table bulk_response_devices drop column claimed_by;
alter table bulk_response_devices add column stage smallint not null default 0;
alter table bulk_response_devices add column sent_at timestamptz;
alter table bulk_response_devices add column deadline_at timestamptz;
alter table bulk_response_devices add column next_send_at timestamptz;
alter table bulk_response_devices add column result jsonb;
alter table bulk_response_devices add column acknowledged_at timestamptz;
alter table bulk_response_devices add column progress jsonb;

-- Devices still waiting for an answer, found by when something is next due for them.
create index bulk_response_devices_resend on bulk_response_devices (bulk_response_id, next_send_at)
  where status = 'sent' and next_send_at is not null;
create index bulk_response_devices_deadline on bulk_response_devices (bulk_response_id, deadline_at)
  where status in ('sent', 'enqueued', 'in_progress');
-- A device that connects is looked up among the commands waiting for it.
create index bulk_response_devices_waiting_device on bulk_response_devices (device_id)
  where status = 'enqueued';

-- How many rows of a bulk response (per rollout stage) are in each status, and how many ever
-- entered `sent` or `enqueued`: what bounds the rollout's window. Never written by code.
create table bulk_response_counts (
  bulk_response_id text not null references bulk_responses (id) on delete cascade,
  stage smallint not null,
  pending integer not null default 0,
  sent integer not null default 0,
  enqueued integer not null default 0,
  in_progress integer not null default 0,
  success integer not null default 0,
  fail integer not null default 0,
  unhealthy integer not null default 0,
  timed_out integer not null default 0,
  skipped integer not null default 0,
  canceled integer not null default 0,
  sent_entries integer not null default 0,
  enqueued_entries integer not null default 0,
  version bigint not null default 0,
  primary key (bulk_response_id, stage)
);

-- One statement-level trigger per event (a trigger with transition tables serves one event). Each
-- groups its rows' changes per bulk response, stage and status; one function applies them in key
-- order, so concurrent writers lock the counts rows in the same order and never deadlock on them.
create function apply_bulk_response_count_deltas(deltas jsonb) returns void language sql as $$
  insert into bulk_response_counts as counted (bulk_response_id, stage, pending, sent, enqueued, in_progress,
    success, fail, unhealthy, timed_out, skipped, canceled, sent_entries, enqueued_entries, version)
  select bulk_response_id, stage,
    coalesce(sum(change) filter (where status = 'pending'), 0),
    coalesce(sum(change) filter (where status = 'sent'), 0),
    coalesce(sum(change) filter (where status = 'enqueued'), 0),
    coalesce(sum(change) filter (where status = 'in_progress'), 0),
    coalesce(sum(change) filter (where status = 'success'), 0),
    coalesce(sum(change) filter (where status = 'fail'), 0),
    coalesce(sum(change) filter (where status = 'unhealthy'), 0),
    coalesce(sum(change) filter (where status = 'timed_out'), 0),
    coalesce(sum(change) filter (where status = 'skipped'), 0),
    coalesce(sum(change) filter (where status = 'canceled'), 0),
    coalesce(sum(entered) filter (where status = 'sent'), 0),
    coalesce(sum(entered) filter (where status = 'enqueued'), 0),
    1
  from jsonb_to_recordset(coalesce(deltas, '[]')) as delta (bulk_response_id text, stage smallint, status text,
    change integer, entered integer)
  group by bulk_response_id, stage
  order by bulk_response_id, stage
  on conflict (bulk_response_id, stage) do update set
    pending = counted.pending + excluded.pending,
    sent = counted.sent + excluded.sent,
    enqueued = counted.enqueued + excluded.enqueued,
    in_progress = counted.in_progress + excluded.in_progress,
    success = counted.success + excluded.success,
    fail = counted.fail + excluded.fail,
    unhealthy = counted.unhealthy + excluded.unhealthy,
    timed_out = counted.timed_out + excluded.timed_out,
    skipped = counted.skipped + excluded.skipped,
    canceled = counted.canceled + excluded.canceled,
    sent_entries = counted.sent_entries + excluded.sent_entries,
    enqueued_entries = counted.enqueued_entries + excluded.enqueued_entries,
    version = counted.version + 1
$$;

create function count_inserted_bulk_response_devices() returns trigger language plpgsql as $$
begin
  perform apply_bulk_response_count_deltas((select jsonb_agg(delta) from (
    select bulk_response_id, stage, status, count(*) as change, count(*) as entered
      from new_rows group by bulk_response_id, stage, status) as delta));
  return null;
end;
$$;

create function count_updated_bulk_response_devices() returns trigger language plpgsql as $$
begin
  perform apply_bulk_response_count_deltas((select jsonb_agg(delta) from (
    select bulk_response_id, stage, status, sum(change) as change, sum(entered) as entered from (
      select n.bulk_response_id, n.stage, n.status, 1 as change, 1 as entered
        from new_rows n join old_rows o on o.bulk_response_id = n.bulk_response_id and o.device_id = n.device_id
       where o.status <> n.status
      union all
      select o.bulk_response_id, o.stage, o.status, -1, 0
        from old_rows o join new_rows n on n.bulk_response_id = o.bulk_response_id and n.device_id = o.device_id
       where o.status <> n.status) as changed
    group by bulk_response_id, stage, status) as delta));
  return null;
end;
$$;

create function count_deleted_bulk_response_devices() returns trigger language plpgsql as $$
begin
  perform apply_bulk_response_count_deltas((select jsonb_agg(delta) from (
    select bulk_response_id, stage, status, -count(*) as change, 0 as entered
      from old_rows
     -- rows deleted with their bulk response (cascade) leave no counts to keep
     where exists (select 1 from bulk_responses b where b.id = old_rows.bulk_response_id)
     group by bulk_response_id, stage, status) as delta));
  return null;
end;
$$;

create trigger bulk_response_devices_counted_insert after insert on bulk_response_devices
  referencing new table as new_rows for each statement execute function count_inserted_bulk_response_devices();
create trigger bulk_response_devices_counted_update after update on bulk_response_devices
  referencing old table as old_rows new table as new_rows
  for each statement execute function count_updated_bulk_response_devices();
create trigger bulk_response_devices_counted_delete after delete on bulk_response_devices
  referencing old table as old_rows for each statement execute function count_deleted_bulk_response_devices();

-- Rows written before this migration are counted once.
insert into bulk_response_counts (bulk_response_id, stage, pending, sent, enqueued, in_progress, success, fail,
  unhealthy, timed_out, skipped, canceled, sent_entries, enqueued_entries, version)
select bulk_response_id, stage,
  count(*) filter (where status = 'pending'), count(*) filter (where status = 'sent'),
  count(*) filter (where status = 'enqueued'), count(*) filter (where status = 'in_progress'),
  count(*) filter (where status = 'success'), count(*) filter (where status = 'fail'),
  count(*) filter (where status = 'unhealthy'), count(*) filter (where status = 'timed_out'),
  count(*) filter (where status = 'skipped'), count(*) filter (where status = 'canceled'), 0, 0, 1
from bulk_response_devices group by bulk_response_id, stage;

-- The record keeps what the rows cannot say: how many devices the rollout walks, and the
-- rollout's own state (stage, pause, waits) from which the model words what it waits for.
alter table bulk_responses add column total integer not null default 0;
update bulk_responses set total = coalesce((counts ->> 'total')::int, 0);
alter table bulk_responses drop column counts;
alter table bulk_responses drop column waiting_for;
alter table bulk_responses add column rollout_state jsonb;
-- The setting a send_configuration applies ({settingId, version}, resolved when it started): a
-- device that answers success runs it from then on, recorded with its answer.
alter table bulk_responses add column applied_setting jsonb;
