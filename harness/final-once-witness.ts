import { finalDeviceStatuses } from '../contracts/statuses';
import type { Queryable } from '../registry/database';

// A witness inside the registry of a test or fault run: every change of a device row away from a
// final status is written down by a trigger, in the statement that makes it. "Each device final
// exactly once" then reads: the witness saw nothing for the bulk response. `skipped` is left out:
// a continuous rollout may take over a device skipped earlier that changed since (by design).

const watchedStatuses = finalDeviceStatuses.filter((status) => status !== 'skipped');

export interface FinalStatusChange {
  device_id: string;
  old_status: string;
  new_status: string;
}

export async function installFinalOnceWitness(database: Queryable): Promise<void> {
  const watched = watchedStatuses.map((status) => `'${status}'`).join(', ');
  await database.query(`create table if not exists witness_final_changes (
    bulk_response_id text not null, device_id text not null, old_status text not null, new_status text not null,
    changed_at timestamptz not null default now())`);
  await database.query(`create or replace function witness_final_change() returns trigger language plpgsql as $$
    begin
      insert into witness_final_changes (bulk_response_id, device_id, old_status, new_status)
        values (old.bulk_response_id, old.device_id, old.status, new.status);
      return null;
    end $$`);
  await database.query('drop trigger if exists witness_final_change on bulk_response_devices');
  await database.query(`create trigger witness_final_change after update on bulk_response_devices for each row
    when (old.status in (${watched}) and new.status is distinct from old.status)
    execute function witness_final_change()`);
}

export function finalStatusChanges(database: Queryable, bulkResponseId: string): Promise<FinalStatusChange[]> {
  return database.query<FinalStatusChange>(
    `select device_id, old_status, new_status from witness_final_changes where bulk_response_id = $1
      order by changed_at`,
    [bulkResponseId],
  );
}
