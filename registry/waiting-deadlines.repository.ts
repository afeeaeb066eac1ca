import type { Queryable } from './database';

export interface WaitingDeadlines {
  // The latest deadline of devices sent to (or reporting progress) that have not answered yet.
  sent: Date | null;
  // The latest deadline of offline devices whose command waits for them to connect.
  enqueued: Date | null;
}

// Two backward scans of the waiting rows' deadline index (migration 008), one row each, so a read
// costs the same whatever the fleet's size.
export async function findWaitingDeadlines(database: Queryable, bulkResponseId: string): Promise<WaitingDeadlines> {
  const [row] = await database.query<{ sent: Date | string | null; enqueued: Date | string | null }>(
    `select
       (select deadline_at from bulk_response_devices
         where bulk_response_id = $1 and status in ('sent', 'in_progress') and deadline_at is not null
         order by deadline_at desc limit 1) as sent,
       (select deadline_at from bulk_response_devices
         where bulk_response_id = $1 and status = 'enqueued' and deadline_at is not null
         order by deadline_at desc limit 1) as enqueued`,
    [bulkResponseId],
  );
  const dateOf = (value: Date | string | null | undefined) => (value ? new Date(value) : null);
  return { sent: dateOf(row?.sent), enqueued: dateOf(row?.enqueued) };
}
