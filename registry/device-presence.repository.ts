import type { Queryable } from './database';

export interface DeviceSighting {
  companyId: string;
  deviceId: string;
  seenAt: Date;
}

// One statement for a whole batch of sightings: thousands of heartbeating devices cost one
// UPDATE per flush, not one per heartbeat. A stale sighting never moves last_seen_at back.
export async function recordDevicesSeen(database: Queryable, sightings: readonly DeviceSighting[]): Promise<number> {
  if (sightings.length === 0) return 0;
  const rows = await database.query<{ id: string }>(
    `update devices d
        set last_seen_at = greatest(d.last_seen_at, seen.at)
       from unnest($1::text[], $2::text[], $3::timestamptz[]) as seen(company_id, id, at)
      where d.id = seen.id and d.company_id = seen.company_id
      returning d.id`,
    [
      sightings.map((sighting) => sighting.companyId),
      sightings.map((sighting) => sighting.deviceId),
      sightings.map((sighting) => sighting.seenAt.toISOString()),
    ],
  );
  return rows.length;
}
