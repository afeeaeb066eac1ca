import type { Database } from './database';
import { recordAppliedSetting } from './device-batch.repository';
import type { DeviceConfigurationRow } from './registry-actions.repository';

export interface DeviceAnswerRecord {
  bulkResponseId: string;
  deviceId: string;
  status: 'success' | 'fail';
  message: string | null;
  result: Record<string, unknown> | null;
  acknowledgedAt: Date;
}

export interface RecordedAnswer {
  bulk_response_id: string;
  device_id: string;
  status: 'success' | 'fail';
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

// Device answers, many in one transaction: each device's row becomes final once, only while it
// waits for an answer (an answer for a final row — late, duplicate, after a cancel — changes
// nothing), rows locked in key order so concurrent recorders never deadlock. A device that
// answered a configuration with success runs that setting from now on, in the same transaction.
export function recordDeviceAnswers(database: Database, answers: readonly DeviceAnswerRecord[]) {
  return database.transaction(async (transaction): Promise<RecordedAnswers> => {
    const answered = await transaction.query<RecordedAnswer>(
      `with answer as (
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[])
           as answer (bulk_response_id, device_id, status, message, result, acknowledged_at)
       ), waiting as (
         select row.bulk_response_id, row.device_id from bulk_response_devices row
           join answer using (bulk_response_id, device_id)
          where row.status in ('sent', 'in_progress')
          order by row.bulk_response_id, row.device_id for update of row
       )
       update bulk_response_devices row set status = answer.status, message = answer.message,
         result = answer.result, acknowledged_at = answer.acknowledged_at, next_send_at = null, updated_at = now()
         from answer join waiting using (bulk_response_id, device_id)
         join bulk_responses owner on owner.id = answer.bulk_response_id
        where row.bulk_response_id = answer.bulk_response_id and row.device_id = answer.device_id
       returning row.bulk_response_id, row.device_id, row.status, row.sent_at, row.attempts, owner.action,
         owner.company_id, case when row.undo ? 'setting_id' and row.undo ->> 'version' is not null
           then jsonb_build_object('settingId', row.undo ->> 'setting_id', 'version', (row.undo ->> 'version')::int)
           else owner.applied_setting end as applied_setting`,
      [
        answers.map((answer) => answer.bulkResponseId),
        answers.map((answer) => answer.deviceId),
        answers.map((answer) => answer.status),
        answers.map((answer) => answer.message),
        answers.map((answer) => (answer.result ? JSON.stringify(answer.result) : null)),
        answers.map((answer) => answer.acknowledgedAt),
      ],
    );
    // Each row says the setting version its command carried (a rollback's differ per device).
    const configured: RecordedAnswers['configured'] = [];
    const bySetting = new Map<string, RecordedAnswer[]>();
    for (const row of answered) {
      if (row.status !== 'success' || !row.applied_setting) continue;
      const key = `${row.company_id} ${row.applied_setting.settingId} ${row.applied_setting.version}`;
      const rows = bySetting.get(key) ?? [];
      rows.push(row);
      bySetting.set(key, rows);
    }
    for (const rows of bySetting.values()) {
      const devices = await recordAppliedSetting(
        transaction,
        rows.map((row) => row.device_id),
        rows[0]!.applied_setting!,
      );
      configured.push({ companyId: rows[0]!.company_id, devices });
    }
    return { answered, configured };
  });
}
