import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { DeviceBehaviour } from '../simulator/device-behaviour';
import type { SimulatedFleet } from '../simulator/device-fleet';
import { startOnlineFleet } from './fault-fleet';
import type { FaultStack } from './fault-stack';
import { tallyRollout, type RolloutTally } from './fault-tally';
import { createFaultTenant } from './fault-tenant';
import { startFleetAction } from './fleet-action-client';
import { receiptsInQuietWindows, type LateReceipt, type QuietWindow } from './stop-witness';

// One rollout on the fault stack while an operator, the Temporal UI and the machine do things to
// it at random moments: pause, resume, cancel (API), cancel and terminate (Temporal), a worker
// killed -9 and started again, the broker restarted. What a property test generates and checks.

export const steeringActions = [
  'pause',
  'resume',
  'cancel',
  'temporalCancel',
  'terminate',
  'workerCrash',
  'brokerRestart',
] as const;
export type SteeringAction = (typeof steeringActions)[number];

export interface SteeringScenario {
  devices: number;
  latency: { minMs: number; maxMs: number };
  failureRate: number;
  maxInFlight: number;
  deadlineSeconds: number;
  retryIntervalSeconds: number;
  steps: { afterMilliseconds: number; action: SteeringAction }[];
}

export interface ScenarioOutcome {
  bulkResponseId: string;
  tally: RolloutTally;
  // Quiet windows the steps opened (stops, pauses) and the receipts that broke one.
  windows: QuietWindow[];
  late: LateReceipt[];
  // What each step did: "pause 202", "terminate", "cancel 409"...
  steps: string[];
  execution: string;
}

export interface ScenarioRig {
  stack: FaultStack;
  apiUrl: string;
  workerId: string;
  // Killed and started again by `workerCrash`.
  worker: { kill(): Promise<void> };
}

const endWithinMilliseconds = 240_000;
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

export async function runSteeringScenario(rig: ScenarioRig, scenario: SteeringScenario): Promise<ScenarioOutcome> {
  const tenant = await createFaultTenant(rig.stack.database, scenario.devices);
  const behaviour: Partial<DeviceBehaviour> = { latency: scenario.latency, failureRate: scenario.failureRate };
  const fleet = await startOnlineFleet({
    database: rig.stack.database,
    brokerUrl: rig.stack.broker.url,
    tenant,
    behaviour,
  });
  const connection = await Connection.connect({ address: rig.stack.temporalAddress });
  try {
    const temporal = new Client({ connection });
    const id = await startFleetAction(rig.apiUrl, tenant.authorization, tenant.fleetId, {
      action: 'issue_command',
      gateway_command: 'reboot',
      rollout: {
        max_in_flight: scenario.maxInFlight,
        device_timeout_seconds: scenario.deadlineSeconds,
        retry: {
          max_attempts: 20,
          initial_interval_seconds: scenario.retryIntervalSeconds,
          backoff_coefficient: 1,
          max_interval_seconds: scenario.retryIntervalSeconds,
        },
      },
    });
    const steering = new Steering(rig, temporal, tenant.authorization, id);
    for (const step of scenario.steps) {
      await sleep(step.afterMilliseconds);
      if (await steering.ended()) break;
      await steering.perform(step.action);
    }
    // A rollout left paused never ends: the operator resumes it (a no-op once it stopped).
    if (steering.paused && !(await steering.ended())) await steering.perform('resume');
    await steering.waitForEnd(endWithinMilliseconds);
    const executions = fleet.executions(id);
    const witnesses = { database: rig.stack.database, executions, ackTap: rig.stack.ackTap };
    return {
      bulkResponseId: id,
      tally: await tallyRollout(witnesses, id, scenario.devices),
      windows: steering.windows,
      late: receiptsInQuietWindows(executions, steering.windows),
      steps: steering.log,
      execution: await executionStatusOnceClosed(temporal, id),
    };
  } finally {
    await stopFleet(fleet);
    await connection.close();
  }
}

// The record ends a moment before the execution returns (it still enqueues its last webhook
// event): an execution still running this long after its record ended is something left running.
const closesWithinMilliseconds = 30_000;

async function executionStatusOnceClosed(temporal: Client, id: string): Promise<string> {
  const deadline = Date.now() + closesWithinMilliseconds;
  for (;;) {
    const status = (await temporal.workflow.getHandle(id).describe()).status.name;
    if (status !== 'RUNNING' || Date.now() > deadline) return status;
    await sleep(250);
  }
}

async function stopFleet(fleet: SimulatedFleet): Promise<void> {
  await Promise.race([fleet.stop(), sleep(10_000)]);
}

// The steps' side effects, and the quiet windows they open: from a stop on, nothing may reach a
// device (after the grace); from a pause until its resume, likewise.
class Steering {
  readonly windows: QuietWindow[] = [];
  readonly log: string[] = [];

  constructor(
    private readonly rig: ScenarioRig,
    private readonly temporal: Client,
    private readonly authorization: string,
    private readonly bulkResponseId: string,
  ) {}

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
      this.log.push(`${action} ${status}`);
      if (status !== 202) return;
      if (action === 'pause') this.windows.push({ what: 'pause', from: at, until: null });
      if (action === 'resume') for (const window of this.windows) if (window.what === 'pause') window.until ??= at;
      if (action === 'cancel') this.windows.push({ what: 'cancel', from: at, until: null });
      return;
    }
    this.log.push(action);
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
