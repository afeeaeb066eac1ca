import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { planRollback, rollbackIdOf, RollbackRefused } from '../engine-start/rollback-plan';
import { recordExecution, startExecution, type ExecutionStarter } from '../engine-start/start-execution';
import type { Database } from '../registry/database';
import { listParentsAwaitingRollback, type RollbackParent } from '../registry/rollbacks.repository';

const parentsPerTick = 50;

// Rollouts that ended aborted with `rollback: {on: abort}` are rolled back from inside each worker
// process, like the reconciler: every tick looks for such a rollout whose rollback has not started
// and starts it. Exactly once whatever crashes: the rollback's id is derived from the parent's, its
// record is written once (a second write finds it), and Temporal refuses a second execution of that
// id (REJECT_DUPLICATE); a worker that died between the record and the start leaves a record the
// next tick (of any worker) starts.
export function startAutomaticRollbacks(options: {
  database: Database;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
  intervalMilliseconds?: number;
}): { tick(): Promise<void>; stop(): Promise<void> } {
  const starter: ExecutionStarter = options;
  const refused = new Set<string>();
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = running
      .then(() => rollBackAborted(starter, options.logger, refused))
      .catch((error: unknown) => options.logger.warn({ err: error }, 'automatic rollbacks failed; trying again later'));
    return running;
  };
  const timer = setInterval(() => void tick(), options.intervalMilliseconds ?? 10_000);
  timer.unref();
  return {
    tick,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

async function rollBackAborted(starter: ExecutionStarter, logger: Logger, refused: Set<string>): Promise<void> {
  for (const parent of await listParentsAwaitingRollback(starter.database, parentsPerTick)) {
    if (refused.has(parent.id)) continue;
    try {
      if (!(await rollBack(starter, parent))) continue;
      logger.info({ bulkResponseId: parent.id, rollbackId: rollbackIdOf(parent.id) }, 'aborted rollout rolled back');
    } catch (error) {
      // A rollback that can never start (nothing recorded to send) is said once per process.
      if (error instanceof RollbackRefused) refused.add(parent.id);
      logger.warn({ err: error, bulkResponseId: parent.id }, 'could not start the rollback of an aborted rollout');
    }
  }
}

async function rollBack(starter: ExecutionStarter, parent: RollbackParent): Promise<boolean> {
  const start = {
    ...planRollback(parent),
    bulkResponseId: rollbackIdOf(parent.id),
    createdBy: null,
    startedBy: `the engine: ${parent.id} ended aborted and asked for rollback on abort`,
  };
  // Written before the start, or found there: an operator's rollback of the same parent has the
  // same id, so whichever came first stands and this start joins it.
  await recordExecution(starter.database, start);
  // False when it was started already (its workflow has not begun yet).
  return !(await startExecution(starter, start));
}
