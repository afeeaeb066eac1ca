import type { Logger } from 'pino';
import type { EngineObserver } from '../activities/engine-observer';
import { publishConfigurations } from '../activities/device-configuration';
import { executionAddressOf } from '../contracts/ids';
import type { Database } from '../registry/database';
import {
  confirmDeviceHealth,
  recordDeviceAnswers,
  type DeviceAnswerRecord,
  type RecordedAnswers,
} from '../registry/device-answers.repository';
import type { DeviceTransport, ReceivedAcknowledgement } from '../transport/device-transport';
import type { RolloutSignals } from './rollout-signals';

// Answers arriving within this long are written together (one statement), or as soon as this many.
const batchMilliseconds = 20;
const batchSize = 500;
// A registry that refuses a batch is tried again, answers kept in memory meanwhile.
const retryMilliseconds = 1_000;

export interface AnswerRecorder {
  record(received: ReceivedAcknowledgement): void;
  // Devices heard alive: those that answered success with confirm_health are now healthy.
  alive(sightings: { deviceId: string; at: Date }[]): Promise<void>;
  close(): Promise<void>;
}

// A device's answer goes straight to its row, the one truth: the row becomes final once, the
// rollout hears its counts changed, and a configuration a device applied becomes its retained one.
// An answer that arrives while nothing waits for it (late, duplicate) changes nothing. If this
// process dies with answers not yet written, the last copy of each command at its deadline asks
// the device again (it answers the same), so none is lost.
export function createAnswerRecorder(dependencies: {
  database: Database;
  transport: () => DeviceTransport;
  signals: RolloutSignals;
  observer: EngineObserver;
  logger: Logger;
}): AnswerRecorder {
  const { database, signals, observer, logger } = dependencies;
  let pending = new Map<string, DeviceAnswerRecord>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  // What follows a change of rows: new retained configurations, metrics, the rollouts told.
  const changed = async (recorded: RecordedAnswers) => {
    for (const { companyId, devices } of recorded.configured)
      await publishConfigurations(dependencies.transport(), companyId, devices);
    observe(observer, recorded.answered);
    signals.rowsChanged(new Set(recorded.answered.map((row) => row.bulk_response_id)));
  };

  const write = async (answers: DeviceAnswerRecord[]): Promise<void> => {
    for (;;) {
      try {
        await changed(await recordDeviceAnswers(database, answers));
        return;
      } catch (error) {
        logger.warn({ err: error, answers: answers.length }, 'device answers not recorded yet; trying again');
        await new Promise((resolve) => setTimeout(resolve, retryMilliseconds));
      }
    }
  };

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return writing;
    const answers = [...pending.values()];
    pending = new Map();
    writing = writing.then(() => write(answers));
    return writing;
  };

  return {
    record(received) {
      const { acknowledgement, deviceId } = received;
      const address = executionAddressOf(acknowledgement.execution_id);
      if (!address || address.deviceId !== deviceId) {
        logger.warn({ deviceId, executionId: acknowledgement.execution_id }, 'answer for another device ignored');
        return;
      }
      // A final answer after a progress report in the same batch wins; a report never replaces it.
      const earlier = pending.get(acknowledgement.execution_id);
      if (earlier && earlier.status !== 'in_progress' && acknowledgement.status === 'in_progress') return;
      pending.set(acknowledgement.execution_id, {
        bulkResponseId: address.bulkResponseId,
        deviceId,
        status: acknowledgement.status,
        message: acknowledgement.message ?? null,
        result: acknowledgement.result ?? null,
        progress: acknowledgement.progress ?? null,
        acknowledgedAt: acknowledgement.acknowledged_at
          ? new Date(acknowledgement.acknowledged_at)
          : received.receivedAt,
        receivedAt: received.receivedAt,
      });
      if (pending.size >= batchSize) void flush();
      else timer ??= setTimeout(() => void flush(), batchMilliseconds);
    },
    alive: async (sightings) => {
      try {
        await changed(await confirmDeviceHealth(database, sightings));
      } catch (error) {
        // The devices' deadline for confirming is kept in their rows: a later sighting still counts.
        logger.warn({ err: error, devices: sightings.length }, 'device health not confirmed yet');
      }
    },
    close: () => flush(),
  };
}

// Metrics for devices that became final (a progress report or a success awaiting health is not).
function observe(observer: EngineObserver, answered: { action: string; status: string; sent_at: Date | null }[]) {
  const now = Date.now();
  const byAction = new Map<string, { status: string; answerSeconds?: number }[]>();
  for (const row of answered.filter((answer) => answer.status !== 'in_progress')) {
    const devices = byAction.get(row.action) ?? [];
    devices.push({
      status: row.status,
      ...(row.sent_at ? { answerSeconds: (now - new Date(row.sent_at).getTime()) / 1000 } : {}),
    });
    byAction.set(row.action, devices);
  }
  for (const [action, devices] of byAction) observer.devicesSettled(action, devices);
}
