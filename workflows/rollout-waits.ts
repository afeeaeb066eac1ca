import { condition, setCurrentDetails } from '@temporalio/workflow';
import type { BulkActionInput, DeviceSource } from '../contracts/bulk-action.types';
import { dispatchStateAt } from '../contracts/maintenance-windows';
import { rolloutDefaults } from '../contracts/rollout-defaults';
import type { RolloutState } from './rollout-state';
import { registryReads } from './registry-activities';

// Outside every maintenance window the rollout opens nothing: it waits on a durable timer until
// the next window opens, and says so. A stop (abort, cancel) ends the wait; without windows this
// returns at once and writes nothing to the history.
export async function waitForMaintenanceWindow(
  input: BulkActionInput,
  state: RolloutState,
  deadlineMilliseconds: number,
): Promise<void> {
  const { carry } = state;
  for (;;) {
    const gate = dispatchStateAt(input.request.rollout?.windows, Date.now(), deadlineMilliseconds);
    if (gate.dispatch || carry.stopReason) break;
    showWait(state, () => (carry.windowOpensAt = new Date(gate.until).toISOString()));
    await condition(() => carry.stopReason !== null, Math.max(1, gate.until - Date.now()));
  }
  if (carry.windowOpensAt) showWait(state, () => (carry.windowOpensAt = null));
}

// A continuous rollout after a pass: every check interval, asks the registry whether devices came
// to match the fleet; `sweep` when some did (the caller walks the fleet again for them), `ended`
// at `until` or on a stop, `rest` when the history asks for a fresh run.
export async function awaitNewcomers(
  input: BulkActionInput,
  state: RolloutState,
  shouldRest: () => boolean,
): Promise<'sweep' | 'ended' | 'rest'> {
  const continuous = input.request.rollout?.continuous;
  const { carry } = state;
  if (!continuous) return 'ended';
  const until = new Date(continuous.until).getTime();
  const interval = (continuous.check_interval_seconds ?? rolloutDefaults.continuousCheckIntervalSeconds) * 1000;
  while (!carry.stopReason && Date.now() < until) {
    if (shouldRest()) return 'rest';
    const nextCheck = Math.min(until, Date.now() + interval);
    showWait(state, () => (carry.nextCheckAt = new Date(nextCheck).toISOString()));
    await condition(() => carry.stopReason !== null, Math.max(1, nextCheck - Date.now()));
    await condition(() => !carry.paused || carry.stopReason !== null);
    if (carry.stopReason) break;
    const checkedAt = new Date(Date.now()).toISOString();
    const newcomers = await registryReads.countFleetNewcomers({
      bulkResponseId: input.bulkResponseId,
      companyId: input.companyId,
      source: sourceAsOf(input.source, checkedAt),
    });
    if (newcomers === 0) continue;
    carry.sweepStartedAt = checkedAt;
    carry.cursor = null;
    carry.walkDone = false;
    carry.nextCheckAt = null;
    return 'sweep';
  }
  showWait(state, () => (carry.nextCheckAt = null));
  return 'ended';
}

// A sweep walks the fleet as it is at the sweep's start: devices created since the action started
// are in it, and every device it already acted on is left out by the page query.
export function sourceAsOf(source: DeviceSource, sweepStartedAt: string | null | undefined): DeviceSource {
  if (!sweepStartedAt || source.kind !== 'fleet') return source;
  return { ...source, createdBefore: sweepStartedAt };
}

// The wait shows in the status query and the execution's details; the stored record holds no
// wait, so nothing is saved for it (a check every minute would otherwise write a save each time).
function showWait(state: RolloutState, change: () => void): void {
  change();
  setCurrentDetails(state.details());
}
