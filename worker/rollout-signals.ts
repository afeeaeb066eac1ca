import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { readCountsSnapshots } from '../registry/bulk-response-counts.repository';
import type { Queryable } from '../registry/database';
import { devicesConnectedSignal, rowsCountedSignal } from '../workflows/definitions';

// A rollout hears about its rows from the worker that changed them: the counts they say now, at
// most every `interval` per rollout (answers coming in a stream cost a few signals a second, not
// one each), and that some of its offline devices connected. A rollout that ended cannot hear it.
const intervalMilliseconds = 100;

export interface RolloutSignals {
  rowsChanged(bulkResponseIds: Iterable<string>): void;
  devicesConnected(bulkResponseIds: Iterable<string>): void;
  close(): Promise<void>;
}

export function createRolloutSignals(temporal: Client, database: Queryable, logger: Logger): RolloutSignals {
  const counted = new Set<string>();
  const connected = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> = Promise.resolve();

  const send = async (): Promise<void> => {
    timer = undefined;
    const countedIds = [...counted];
    const connectedIds = [...connected];
    counted.clear();
    connected.clear();
    const snapshots = countedIds.length > 0 ? await readCountsSnapshots(database, countedIds) : new Map();
    await Promise.all([
      ...countedIds.map((id) => deliver(id, (handle) => handle.signal(rowsCountedSignal, snapshots.get(id)))),
      ...connectedIds.map((id) => deliver(id, (handle) => handle.signal(devicesConnectedSignal))),
    ]);
  };

  const deliver = async (
    id: string,
    signal: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<void>,
  ) => {
    try {
      await signal(temporal.workflow.getHandle(id));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return;
      logger.warn({ err: error, bulkResponseId: id }, 'rollout not told about its rows; it looks again on its own');
    }
  };

  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => {
      sending = sending.then(send).catch((error: unknown) => logger.warn({ err: error }, 'rollout signals failed'));
    }, intervalMilliseconds);
  };

  return {
    rowsChanged(ids) {
      for (const id of ids) counted.add(id);
      schedule();
    },
    devicesConnected(ids) {
      for (const id of ids) connected.add(id);
      schedule();
    },
    close: async () => {
      if (timer) {
        clearTimeout(timer);
        await send();
      }
      await sending;
    },
  };
}
