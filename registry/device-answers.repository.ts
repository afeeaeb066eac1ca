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
         owner.company_id, owner.applied_setting`,
      [
        answers.map((answer) => answer.bulkResponseId),
        answers.map((answer) => answer.deviceId),
        answers.map((answer) => answer.status),
        answers.map((answer) => answer.message),
        answers.map((answer) => (answer.result ? JSON.stringify(answer.result) : null)),
        answers.map((answer) => answer.acknowledgedAt),
      ],
    );
    const configured: RecordedAnswers['configured'] = [];
    for (const bulkResponseId of new Set(answered.map((row) => row.bulk_response_id))) {
      const succeeded = answered.filter((row) => row.bulk_response_id === bulkResponseId && row.status === 'success');
      const setting = succeeded[0]?.applied_setting;
      if (!setting) continue;
      const devices = await recordAppliedSetting(
        transaction,
        succeeded.map((row) => row.device_id),
        setting,
      );
      configured.push({ companyId: succeeded[0]!.company_id, devices });
    }
    return { answered, configured };
  });
}
