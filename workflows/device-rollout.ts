import { CancellationScope, condition } from '@temporalio/workflow';
import type { DispatchTarget } from '../activities/device-dispatch.activities';
import type { DeviceActionInput } from '../contracts/bulk-action.types';
import type { DeviceRef, LaunchOutcome, RolloutModel } from '../contracts/rollout-model';
import type { TerminalBulkStatus } from '../contracts/statuses';
import { deviceDispatch, longRegistry, registry, registryReads } from './rollout-activities';
import type { RolloutRecorder } from './rollout-record';
import { sourceAsOf } from './rollout-sources';

// Eligible devices a fleet page holds at most; the page waits in the rollout's state (carried
// over a continue-as-new), so it stays small.
const fleetPageSize = 500;

export type DriveResult = { ended: TerminalBulkStatus } | 'rest';

// Runs a device action until it may end (or hands over to a fresh run): each turn does what is
// due — look after waiting devices, load a page, send to devices the window and pace allow, move
// the stage on — then waits for the next event (answers counted, a launch done, an operator) or
// the next due time. Device launches run beside the loop; the loop never waits on one device.
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
  const failures: unknown[] = [];
  for (;;) {
    if (failures.length > 0) throw failures[0];
    if (shouldRest() && model.launchesRunning === 0) return 'rest';
    const now = Date.now();
    if (await bookkeeping(input, target, model, now)) continue;
    await launchConnected(target, model, now);
    const { count, deadlineAt } = model.launchable(now);
    for (const device of model.launch(now, count)) launchDevice(input, target, model, device, deadlineAt, failures);
    // Local activities resolve in as many activations as they happen to, and a replay groups them
    // otherwise (a new worker after a crash): nothing that issues commands (a timer started and
    // canceled, a save) may run once per resolution, or the replay's timer and activity ids differ
    // from the history's. So the loop waits, with no timer, until its launches are all done.
    if (model.launchesRunning > 0) await condition(() => model.launchesRunning === 0);
    const ended = model.advance(now);
    recorder.noteChanges();
    if (ended) return { ended };
    const version = model.version;
    const wakeAt = model.nextWakeAt(Date.now());
    if (wakeAt === null) await condition(() => model.version !== version);
    else await condition(() => model.version !== version, Math.max(1, wakeAt - Date.now()));
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
        cancelWaiting: false,
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
    const newcomers = await registryReads.countFleetNewcomers({
      bulkResponseId: input.bulkResponseId,
      companyId: input.companyId,
      source: sourceAsOf(input.source, now),
    });
    model.newcomersChecked(now, newcomers);
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
  const limit = model.connectedLaunchable();
  if (limit === 0) return;
  const result = await CancellationScope.nonCancellable(() =>
    registry.commandConnectedDevices({ target, limit, firstResendOffset: model.plan.resendOffsets[0] ?? null }),
  );
  model.connectedLaunched(now, result.sent, result.more);
}

// One device, beside the loop: the model hears how it went. A device whose command could not be
// published for good ends `fail`; if even that cannot be recorded, the rollout fails.
function launchDevice(
  input: DeviceActionInput,
  target: DispatchTarget,
  model: RolloutModel,
  device: DeviceRef,
  deadlineAt: number | null,
  failures: unknown[],
): void {
  const stage = model.stageIndex;
  const dispatch = deviceDispatch(`${input.command.name} -> ${device.uniqueId}`);
  const launched = CancellationScope.nonCancellable(() =>
    dispatch.commandDevice({
      target,
      device,
      stage,
      deadlineMilliseconds: model.plan.deadlineMilliseconds,
      deadlineCap: deadlineAt,
      firstResendOffset: model.plan.resendOffsets[0] ?? null,
      skipOffline: model.plan.skipOffline,
    }),
  );
  launched.then(
    (outcome: LaunchOutcome) => model.launched(outcome),
    async (error: unknown) => {
      try {
        const message = `the command could not be sent: ${error instanceof Error ? error.message : String(error)}`;
        await CancellationScope.nonCancellable(() =>
          registry.recordDispatchFailure({ target, device, stage, message }),
        );
        model.launched('failed');
      } catch (recordError) {
        failures.push(recordError);
        model.launched('failed');
      }
    },
  );
}
