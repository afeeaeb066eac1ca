import { rolloutDefaults } from '../contracts/rollout-defaults';
import type { Database, Queryable } from './database';
import { recordAppliedSetting } from './device-batch.repository';
import type { DeviceConfigurationRow } from './registry-actions.repository';

export interface DeviceAnswerRecord {
  bulkResponseId: string;
  deviceId: string;
  status: 'success' | 'fail' | 'in_progress';
  message: string | null;
  result: Record<string, unknown> | null;
  progress: { percent?: number | undefined; step?: string | undefined; extend_seconds?: number | undefined } | null;
  acknowledgedAt: Date;
  // When the service received it: what a device seen alive again is compared with.
  receivedAt: Date;
}

export interface RecordedAnswer {
  bulk_response_id: string;
  device_id: string;
  status: 'success' | 'fail' | 'in_progress';
  sent_at: Date | null;
  attempts: number;
  action: string;
  company_id: string;
  applied_setting: { settingId: string; version: number } | null;
}

export interface RecordedAnswers {
  answered: RecordedAnswer[];
  // Devices that now run the setting their command carried: their retained configuration changes.
  configured: { companyId: string; devices: DeviceConfigurationRow[] }[];
}

// The rollout's settings that bear on an answer, read from its stored request.
const confirmWithinSeconds = "(owner.request -> 'rollout' -> 'confirm_health' ->> 'within_seconds')::int";
const maxDeviceSeconds = `greatest(coalesce((owner.request -> 'rollout' ->> 'device_timeout_seconds')::int, $8),
  coalesce((owner.request -> 'rollout' ->> 'max_device_seconds')::int, 0))`;

// The setting version a row's command carried: its own with a rollback (each device its previous
// version), else the bulk response's.
const appliedSettingSql = `case when row.undo ? 'setting_id' and row.undo ->> 'version' is not null
  then jsonb_build_object('settingId', row.undo ->> 'setting_id', 'version', (row.undo ->> 'version')::int)
  else owner.applied_setting end as applied_setting`;

// Device answers, many in one transaction. A final answer (success, fail) makes the row final once,
// only while it waits for one (an answer for a final row — late, duplicate, after a cancel — changes
// nothing); with confirm_health a success first waits to see the device alive again. A progress
// report (in_progress) keeps the row waiting, shows the progress, and may push its deadline (never
// past max_device_seconds from its dispatch). Rows are locked in key order, so concurrent recorders
// never deadlock. A device that answered a configuration with success runs it from now on.
export function recordDeviceAnswers(database: Database, answers: readonly DeviceAnswerRecord[]) {
  return database.transaction(async (transaction): Promise<RecordedAnswers> => {
    const answered = await transaction.query<RecordedAnswer>(
      `with answer as (
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[],
           $7::timestamptz[], $9::timestamptz[])
           as answer (bulk_response_id, device_id, status, message, result, progress, acknowledged_at, received_at)
       ), waiting as (
         select row.bulk_response_id, row.device_id from bulk_response_devices row
           join answer using (bulk_response_id, device_id)
          where row.status in ('sent', 'in_progress') and row.health_confirm_by is null
          order by row.bulk_response_id, row.device_id for update of row
       )
       update bulk_response_devices row set
         status = case when answer.status = 'success' and ${confirmWithinSeconds} is not null then 'in_progress'
                       else answer.status end,
         message = coalesce(answer.message, row.message),
         result = coalesce(answer.result, row.result),
         progress = case
           when answer.status = 'in_progress' then answer.progress || jsonb_build_object('at', answer.received_at)
           when answer.status = 'success' and ${confirmWithinSeconds} is not null
             then jsonb_build_object('step', 'confirming health', 'at', answer.received_at)
           else row.progress end,
         acknowledged_at = case when answer.status = 'in_progress' then row.acknowledged_at else answer.acknowledged_at end,
         answered_at = case when answer.status = 'in_progress' then row.answered_at else answer.received_at end,
         health_confirm_by = case when answer.status = 'success' and ${confirmWithinSeconds} is not null
           then answer.received_at + make_interval(secs => ${confirmWithinSeconds}) end,
         deadline_at = case when answer.status = 'in_progress' and answer.progress ? 'extend_seconds'
           then least(greatest(row.deadline_at,
                               answer.received_at + make_interval(secs => (answer.progress ->> 'extend_seconds')::int)),
                      row.sent_at + make_interval(secs => ${maxDeviceSeconds}))
           else row.deadline_at end,
         next_send_at = null,
         updated_at = now()
         from answer join waiting using (bulk_response_id, device_id)
         join bulk_responses owner on owner.id = answer.bulk_response_id
        where row.bulk_response_id = answer.bulk_response_id and row.device_id = answer.device_id
       returning row.bulk_response_id, row.device_id, row.status, row.sent_at, row.attempts, owner.action,
         owner.company_id, ${appliedSettingSql}`,
      [
        answers.map((answer) => answer.bulkResponseId),
        answers.map((answer) => answer.deviceId),
        answers.map((answer) => answer.status),
        answers.map((answer) => answer.message),
        answers.map((answer) => (answer.result ? JSON.stringify(answer.result) : null)),
        answers.map((answer) => JSON.stringify(answer.progress ?? {})),
        answers.map((answer) => answer.acknowledgedAt),
        rolloutDefaults.deviceTimeoutSeconds,
        answers.map((answer) => answer.receivedAt),
      ],
    );
    return { answered, configured: await applySettings(transaction, answered) };
  });
}

// Devices that answered a configuration with success (confirmed healthy, with confirm_health)
// run its setting from now on.
async function applySettings(transaction: Queryable, answered: readonly RecordedAnswer[]) {
  // Each row says the setting version its command carried (a rollback's differ per device).
  const bySetting = new Map<string, RecordedAnswer[]>();
  for (const row of answered) {
    if (row.status !== 'success' || !row.applied_setting) continue;
    const key = `${row.company_id} ${row.applied_setting.settingId} ${row.applied_setting.version}`;
    bySetting.set(key, [...(bySetting.get(key) ?? []), row]);
  }
  const configured: RecordedAnswers['configured'] = [];
  for (const rows of bySetting.values()) {
    const devices = await recordAppliedSetting(
      transaction,
      rows.map((row) => row.device_id),
      rows[0]!.applied_setting!,
    );
    configured.push({ companyId: rows[0]!.company_id, devices });
  }
  return configured;
}

// Devices heard alive (a heartbeat, `online`) after they answered success with confirm_health:
// healthy, so `success`. Answers their rows, for the rollouts and their settings.
export function confirmDeviceHealth(database: Database, sightings: readonly { deviceId: string; at: Date }[]) {
  return database.transaction(async (transaction): Promise<RecordedAnswers> => {
    const answered = await transaction.query<RecordedAnswer>(
      `with sighting as (
         select device_id, max(at) as at from unnest($1::text[], $2::timestamptz[]) as seen (device_id, at)
          group by device_id
       ), confirmed as (
         select row.bulk_response_id, row.device_id from bulk_response_devices row join sighting using (device_id)
          where row.status = 'in_progress' and row.health_confirm_by is not null and sighting.at > row.answered_at
          order by row.bulk_response_id, row.device_id for update of row
       )
       update bulk_response_devices row set status = 'success', health_confirm_by = null,
         progress = row.progress || jsonb_build_object('step', 'healthy'), updated_at = now()
         from confirmed join bulk_responses owner on owner.id = confirmed.bulk_response_id
        where row.bulk_response_id = confirmed.bulk_response_id and row.device_id = confirmed.device_id
       returning row.bulk_response_id, row.device_id, row.status, row.sent_at, row.attempts, owner.action,
         owner.company_id, ${appliedSettingSql}`,
      [sightings.map((sighting) => sighting.deviceId), sightings.map((sighting) => sighting.at)],
    );
    return { answered, configured: await applySettings(transaction, answered) };
  });
}
