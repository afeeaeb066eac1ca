import { Client, Connection } from '@temporalio/client';
import type { DeviceBehaviour } from '../simulator/device-behaviour';
import type { SimulatedFleet } from '../simulator/device-fleet';
import { startOnlineFleet } from './fault-fleet';
import type { FaultStack } from './fault-stack';
import { tallyRollout, type RolloutTally } from './fault-tally';
import { createFaultTenant } from './fault-tenant';
import { startFleetAction } from './fleet-action-client';
import { Steering } from './rollout-steering';
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
  // The rollout's own abort rule, if any: a stop the engine decides.
  abort: { failure_rate: number; min_finished: number } | null;
  steps: { afterMilliseconds: number; action: SteeringAction }[];
}

export interface ScenarioOutcome {
  bulkResponseId: string;
  tally: RolloutTally;
  // Quiet windows the steps opened (stops, pauses) and the receipts that broke one.
  windows: QuietWindow[];
  late: LateReceipt[];
  // Lost answers the design lets go: the device acted around a worker kill or broker restart and
  // the rollout stopped before its deadline (the answer died with the worker or the broker's
  // sessions, and a stopped rollout sends no last copy to ask again). Each is an act not counted.
  lostWithNoLastCopy: number;
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
        ...(scenario.abort ? { abort: scenario.abort } : {}),
      },
    });
    const steering = new Steering(rig, temporal, tenant.authorization, id);
    const watching = steering.watchRecord();
    try {
      for (const step of scenario.steps) {
        await sleep(step.afterMilliseconds);
        if (await steering.ended()) break;
        await steering.perform(step.action);
      }
      // A rollout left paused never ends: the operator resumes it (a no-op once it stopped).
      if (steering.paused && !(await steering.ended())) await steering.perform('resume');
      await steering.waitForEnd(endWithinMilliseconds);
    } finally {
      steering.stopWatching();
      await watching;
    }
    const executions = fleet.executions(id);
    const witnesses = { database: rig.stack.database, executions, ackTap: rig.stack.ackTap };
    const tally = await tallyRollout(witnesses, id, scenario.devices);
    return {
      bulkResponseId: id,
      tally,
      lostWithNoLastCopy: lostWithNoLastCopy(tally, steering),
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

// An answer on its way when a worker dies (in the recorder's 20 ms batch or its transaction) or
// the broker restarts (before the worker resubscribed) is gone; a running rollout asks again at
// the device's deadline, a stopped one does not. Only such losses are let go: the device acted
// from 1 s before to 3 s after a worker kill or broker restart, and the rollout stopped before
// the device's deadline.
function lostWithNoLastCopy(tally: RolloutTally, steering: Steering): number {
  const stoppedAt = Math.min(
    ...steering.windows.filter((window) => window.what !== 'pause').map((window) => window.from),
  );
  return tally.lostDevices.filter(({ actedAtMilliseconds: acted, row }) => {
    const deadline = row?.deadline_at ? new Date(row.deadline_at as string).getTime() : 0;
    const aroundFault = steering.faults.some(
      (fault) => acted !== null && acted >= fault.at - 1_000 && acted <= fault.at + 3_000,
    );
    return aroundFault && stoppedAt < deadline;
  }).length;
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
