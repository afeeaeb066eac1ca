import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { ScenarioRig, SteeringAction } from './steering-scenario';
import type { QuietWindow } from './stop-witness';

const clock = (at: number) => new Date(at).toISOString().slice(11, 23);
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

// The steps' side effects, and the quiet windows they open: from a stop on, nothing may reach a
// device (after the grace); from a pause until its resume, likewise.
export class Steering {
  readonly windows: QuietWindow[] = [];
  readonly log: string[] = [];
  // When a worker was killed or the broker restarted: answers in flight then may be lost.
  readonly faults: { what: SteeringAction; at: number }[] = [];

  constructor(
    private readonly rig: ScenarioRig,
    private readonly temporal: Client,
    private readonly authorization: string,
    private readonly bulkResponseId: string,
  ) {}

  private watching = true;

  // A stop the engine decided (an abort rule) or that the record shows first: from the moment the
  // record says the rollout stopped (it is saved at the transition), nothing may be sent either.
  async watchRecord(): Promise<void> {
    while (this.watching) {
      const [row] = await this.rig.stack.database.query<{ stopped: boolean }>(
        "select jsonb_typeof(rollout_state -> 'stop') = 'object' as stopped from bulk_responses where id = $1",
        [this.bulkResponseId],
      );
      if (row?.stopped && !this.windows.some((window) => window.what === 'record stopped')) {
        this.windows.push({ what: 'record stopped', from: Date.now(), until: null });
        return;
      }
      await sleep(200);
    }
  }

  stopWatching(): void {
    this.watching = false;
  }

  get paused(): boolean {
    return this.windows.some((window) => window.what === 'pause' && window.until === null);
  }

  async ended(): Promise<boolean> {
    const [row] = await this.rig.stack.database.query<{ ended: boolean }>(
      'select completed_at is not null as ended from bulk_responses where id = $1',
      [this.bulkResponseId],
    );
    return row?.ended ?? false;
  }

  async perform(action: SteeringAction): Promise<void> {
    const at = Date.now();
    if (action === 'pause' || action === 'resume' || action === 'cancel') {
      const status = await this.control(action);
      this.log.push(`${action} ${status} at ${clock(at)}`);
      if (status !== 202) return;
      if (action === 'pause') this.windows.push({ what: 'pause', from: at, until: null });
      if (action === 'resume') for (const window of this.windows) if (window.what === 'pause') window.until ??= at;
      if (action === 'cancel') this.windows.push({ what: 'cancel', from: at, until: null });
      return;
    }
    this.log.push(`${action} at ${clock(at)}`);
    if (action === 'workerCrash' || action === 'brokerRestart') this.faults.push({ what: action, at });
    if (action === 'workerCrash') {
      await this.rig.worker.kill();
      this.rig.worker = await this.rig.stack.startWorker(this.rig.workerId);
    } else if (action === 'brokerRestart') {
      await this.rig.stack.broker.restart();
    } else {
      const handle = this.temporal.workflow.getHandle(this.bulkResponseId);
      const done = action === 'terminate' ? handle.terminate('property test') : handle.cancel();
      if (
        await done.then(
          () => true,
          (error: unknown) => ignoreClosed(error),
        )
      )
        this.windows.push({ what: action, from: at, until: null });
    }
  }

  private async control(verb: 'pause' | 'resume' | 'cancel'): Promise<number> {
    const response = await fetch(`${this.rig.apiUrl}/api/v1/platform/bulk_responses/${this.bulkResponseId}/${verb}`, {
      method: 'POST',
      headers: { Authorization: this.authorization },
      signal: AbortSignal.timeout(60_000),
    });
    await response.body?.cancel();
    return response.status;
  }

  async waitForEnd(withinMilliseconds: number): Promise<void> {
    const deadline = Date.now() + withinMilliseconds;
    while (!(await this.ended())) {
      if (Date.now() > deadline) throw new Error(`bulk response ${this.bulkResponseId} did not end in time`);
      await sleep(500);
    }
  }
}

// Terminating or canceling an execution that already closed is no stop at all.
function ignoreClosed(error: unknown): false {
  if (error instanceof WorkflowNotFoundError) return false;
  throw error;
}
