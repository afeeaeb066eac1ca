export interface WaitingDeadlines {
  // The latest deadline of devices sent to (or reporting progress) that have not answered yet.
  sent: Date | null;
  // The latest deadline of offline devices whose command waits for them to connect.
  enqueued: Date | null;
}

// Columns of a read of bulk response `b`, so the single GET is one statement: two backward scans
// of the waiting rows' deadline index (migration 008), one row each, so a read costs the same
// whatever the fleet's size; none once the bulk response ended.
export const waitingDeadlineColumns = `
  case when b.completed_at is null then (select w.deadline_at from bulk_response_devices w
    where w.bulk_response_id = b.id and w.status in ('sent', 'in_progress') and w.deadline_at is not null
    order by w.deadline_at desc limit 1) end as waiting_sent_deadline,
  case when b.completed_at is null then (select w.deadline_at from bulk_response_devices w
    where w.bulk_response_id = b.id and w.status = 'enqueued' and w.deadline_at is not null
    order by w.deadline_at desc limit 1) end as waiting_enqueued_deadline`;

export interface StoredWaitingDeadlines {
  waiting_sent_deadline: Date | string | null;
  waiting_enqueued_deadline: Date | string | null;
}

export function waitingDeadlinesOf(row: StoredWaitingDeadlines): WaitingDeadlines {
  const dateOf = (value: Date | string | null) => (value ? new Date(value) : null);
  return { sent: dateOf(row.waiting_sent_deadline), enqueued: dateOf(row.waiting_enqueued_deadline) };
}
