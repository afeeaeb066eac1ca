import type { Queryable } from './database';

export interface BucketState {
  hits: number;
  /** Seconds until the bucket's window ends and its count starts again from zero. */
  secondsLeft: number;
}

// A fixed window per bucket, counted in one upsert so concurrent API processes never lose a hit:
// the first hit after the window ended restarts it at 1.
export async function countHit(database: Queryable, bucket: string, windowSeconds: number): Promise<BucketState> {
  const rows = await database.query<{ hits: number; seconds_left: number }>(
    `insert into rate_limits as limits (bucket, window_started_at, hits) values ($1, now(), 1)
     on conflict (bucket) do update set
       hits = case when limits.window_started_at <= now() - make_interval(secs => $2) then 1 else limits.hits + 1 end,
       window_started_at = case when limits.window_started_at <= now() - make_interval(secs => $2)
         then now() else limits.window_started_at end
     returning hits, ceil(extract(epoch from window_started_at + make_interval(secs => $2) - now()))::int as seconds_left`,
    [bucket, windowSeconds],
  );
  return { hits: rows[0]!.hits, secondsLeft: Math.max(1, rows[0]!.seconds_left) };
}

/** The bucket's count in its current window, without counting a hit (0 once the window ended). */
export async function currentHits(database: Queryable, bucket: string, windowSeconds: number): Promise<BucketState> {
  const rows = await database.query<{ hits: number; seconds_left: number }>(
    `select hits, ceil(extract(epoch from window_started_at + make_interval(secs => $2) - now()))::int as seconds_left
     from rate_limits where bucket = $1 and window_started_at > now() - make_interval(secs => $2)`,
    [bucket, windowSeconds],
  );
  const row = rows[0];
  return row ? { hits: row.hits, secondsLeft: Math.max(1, row.seconds_left) } : { hits: 0, secondsLeft: 0 };
}

export async function clearBucket(database: Queryable, bucket: string): Promise<void> {
  await database.query('delete from rate_limits where bucket = $1', [bucket]);
}

/** Drops buckets whose window ended long ago, so the table stays the size of recent traffic. */
export async function deleteStaleBuckets(database: Queryable, olderThanSeconds: number): Promise<void> {
  await database.query('delete from rate_limits where window_started_at < now() - make_interval(secs => $1)', [
    olderThanSeconds,
  ]);
}
