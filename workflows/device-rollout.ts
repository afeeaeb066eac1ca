import { CancellationScope } from '@temporalio/workflow';
import type { DispatchTarget } from '../activities/device-dispatch.activities';
import type { DeviceActionInput } from '../contracts/bulk-action.types';
import type { DeviceRef, LaunchOutcome, RolloutModel } from '../contracts/rollout-model';
import type { TerminalBulkStatus } from '../contracts/statuses';
import { deviceDispatch, longRegistry, registry } from './rollout-activities';
import type { RolloutRecorder } from './rollout-record';
import { endTurn } from './rollout-turn';
import { checkNewcomers, sourceAsOf } from './rollout-sources';

// Eligible devices a fleet page holds at most; the page waits in the rollout's state (carried
// over a continue-as-new), so it stays small.
const fleetPageSize = 500;

// Devices one launch writes and publishes at most: a turn's launches are one statement each (the
// counts trigger runs once per statement), small enough to finish well within the launch's timeout.
const launchBatchSize = 100;

export type DriveResult = { ended: TerminalBulkStatus } | 'rest';

// Runs a device action until it may end (or hands over to a fresh run): each turn does what is
// due — look after waiting devices, load a page, send to devices the window and pace allow, move
// the stage on — then waits for the next event (answers counted, an operator) or the next due
// time. A turn's launches run together and the turn waits for all of them (milliseconds each):
// on replay, local activity results may come back in fewer activations than they did live, so no
// decision may depend on which of them came back first. Devices never wait on each other's answers.
export async function driveDevices(
  input: DeviceActionInput,
  model: RolloutModel,
  recorder: RolloutRecorder,
  shouldRest: () => boolean,
): Promise<DriveResult> {
  const target: DispatchTarget = {
    bulkResponseId: input.bulkResponseId,
    companyId: input.companyId,
    action: input.request.action,
    command: input.command,
  };
  for (;;) {
    if (shouldRest() && model.launchesRunning === 0) return 'rest';
    const now = Date.now();
    if (await bookkeeping(input, target, model, now)) continue;
    await launchConnected(target, model, now);
    const { count, deadlineAt } = model.launchable(now);
    const launches = chunksOf(model.launch(now, count), launchBatchSize);
    await Promise.all(launches.map((devices) => launchDevices(input, target, model, devices, deadlineAt)));
    const ended = await endTurn(model, recorder, now);
    if (ended) return { ended };
  }
}

// What the rollout must learn or settle before it may send: true when it did something.
async function bookkeeping(input: DeviceActionInput, target: DispatchTarget, model: RolloutModel, now: number) {
  const { plan } = model;
  if (model.needsUnreachedSettled) {
    const stop = model.stop!;
    const snapshot = await CancellationScope.nonCancellable(() =>
      longRegistry.settleUnreached({
        bulkResponseId: input.bulkResponseId,
        companyId: input.companyId,
        source: input.source,
        command: input.command,
        rollout: input.request.rollout,
        stage: model.stageIndex,
        cancelWaiting: stop.cancelWaiting ?? false,
        message:
          stop.kind === 'cancel' ? 'not sent: the rollout was canceled first' : 'not sent: the rollout stopped first',
      }),
    );
    model.unreachedSettled(snapshot);
    return true;
  }
  if (model.tendDue(now)) {
    const result = await CancellationScope.nonCancellable(() =>
      registry.tendWaitingDevices({
        target,
        publishing: model.publishing,
        resendOffsets: plan.resendOffsets,
        graceMilliseconds: plan.answerGraceMilliseconds,
        probedUpTo: model.probedUpTo,
      }),
    );
    model.tended(result.now, result);
    return true;
  }
  if (model.checkDue(now)) {
    await checkNewcomers(input, model, now);
    return true;
  }
  const page = model.pageWanted();
  if (!page) return false;
  if (page.kind === 'stage') {
    model.stagePageLoaded(
      await registry.loadStagePage({
        target,
        source: input.source,
        rollout: input.request.rollout,
        afterDeviceId: null,
        limit: page.limit,
      }),
    );
    return true;
  }
  const sweepStartedAt = model.sweepStartedAt;
  model.fleetPageLoaded(
    await registry.loadFleetPage({
      target,
      source: sourceAsOf(input.source, sweepStartedAt),
      rollout: input.request.rollout,
      afterDeviceId: page.after,
      limit: fleetPageSize,
      stage: model.stageIndex,
      sweep: sweepStartedAt !== null,
    }),
  );
  return true;
}

// Devices that were offline at dispatch and have connected since get their command, first.
async function launchConnected(target: DispatchTarget, model: RolloutModel, now: number): Promise<void> {
  const limit = model.connectedLaunchable(now);
  if (limit === 0) return;
  const result = await CancellationScope.nonCancellable(() =>
    registry.commandConnectedDevices({ target, limit, firstResendOffset: model.plan.resendOffsets[0] ?? null }),
  );
  model.connectedLaunched(now, result.sent, result.more);
}

// A turn's devices, written in one statement and published together: the model hears how each
// went. Devices whose command could not be published for good end `fail`; if even that cannot be
// recorded, the rollout fails.
function launchDevices(
  input: DeviceActionInput,
  target: DispatchTarget,
  model: RolloutModel,
  devices: DeviceRef[],
  deadlineAt: number | null,
): Promise<void> {
  const stage = model.stageIndex;
  const dispatch = deviceDispatch(`${input.command.name} -> ${describeDevices(devices)}`);
  const launched = CancellationScope.nonCancellable(() =>
    dispatch.commandDevices({
      target,
      devices,
      stage,
      deadlineMilliseconds: model.plan.deadlineMilliseconds,
      deadlineCap: deadlineAt,
      firstResendOffset: model.plan.resendOffsets[0] ?? null,
      skipOffline: model.plan.skipOffline,
    }),
  );
  return launched.then(
    (outcomes: LaunchOutcome[]) => outcomes.forEach((outcome) => model.launched(outcome)),
    async (error: unknown) => {
      const message = `the command could not be sent: ${error instanceof Error ? error.message : String(error)}`;
      await CancellationScope.nonCancellable(() =>
        registry.recordDispatchFailures({ target, devices, stage, message }),
      );
      devices.forEach(() => model.launched('failed'));
    },
  );
}

// The Temporal UI's summary of a launch: its devices, by name.
function describeDevices(devices: DeviceRef[]): string {
  if (devices.length === 1) return devices[0]!.uniqueId;
  return `${devices.length} devices (${devices[0]!.uniqueId} … ${devices.at(-1)!.uniqueId})`;
}

function chunksOf<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
