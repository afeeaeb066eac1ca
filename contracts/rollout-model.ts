import type { StatusReason } from './bulk-action.types';
import { dispatchStateAt } from './maintenance-windows';
import { abortReasonOf, finalStatusOf, stageVerdictOf } from './rollout-gates';
import { nextPacedAt, paceAfterLaunch, paceCredit, rampedRate } from './rollout-pace';
import { approvalSubject, stageSizesOf, type Population, type RolloutPlan } from './rollout-plan';
import {
  recordedOf,
  totalCountsOf,
  waitingOf,
  type CountsSnapshot,
  type DeviceRef,
  type LaunchOutcome,
  type Approver,
  type RolloutRecordState,
  type RolloutState,
  type StopKind,
} from './rollout-state';
import { emptyCounts, type BulkCounts, type TerminalBulkStatus } from './statuses';

export * from './rollout-state';

// One rollout's truth while it runs: its phase, stage, pause, stop and what the device rows said
// last. Deterministic and free of I/O: the workflow feeds it what happened (answers counted by the
// registry, pages loaded, devices launched, operators' steering) and asks it what may happen next.
// Every change goes through a method here; nothing outside assigns its state.

const minimumTendIntervalMilliseconds = 1_000;
const safetyTendIntervalMilliseconds = 5_000;

export class RolloutModel {
  constructor(
    readonly plan: RolloutPlan,
    private readonly state: RolloutState,
  ) {}

  get version(): number {
    return this.state.version;
  }

  get phase(): RolloutState['phase'] {
    return this.state.phase;
  }

  get total(): number {
    return this.state.total;
  }

  get startedAt(): number | null {
    return this.state.startedAt;
  }

  get cursor(): string | null {
    return this.state.cursor;
  }

  get sweepStartedAt(): number | null {
    return this.state.sweepStartedAt;
  }

  get stageIndex(): number {
    return this.state.stage.index;
  }

  get inGatedStage(): boolean {
    return this.state.stage.index < this.state.stageSizes.length;
  }

  get launchesRunning(): number {
    return this.state.launched.running;
  }

  get counts(): BulkCounts {
    return totalCountsOf(this.state.counts, this.state.total);
  }

  get probedUpTo(): number {
    return this.state.probedUpTo;
  }

  get stop(): RolloutState['stop'] {
    return this.state.stop;
  }

  // A JSON copy: the workflow sandbox has no structuredClone (continue-as-new failed every workflow
  // task with a ReferenceError), and the state travels as JSON anyway.
  snapshot(): RolloutState {
    return JSON.parse(JSON.stringify(this.state)) as RolloutState;
  }

  record(): RolloutRecordState {
    const { phase, pausedBy, stop, finalStatus, startAt, stage, stageSizes, windowOpensAt, nextCheckAt } = this.state;
    return {
      phase,
      pausedBy,
      stop,
      finalStatus,
      approvals: [...this.state.approvals],
      startAt,
      stage: { ...stage },
      stageSizes: [...stageSizes],
      windowOpensAt,
      nextCheckAt,
      sweeping: this.state.sweepStartedAt !== null,
      walkDone: this.state.walkDone,
      version: this.state.version,
    };
  }

  // --- Starting and steering -------------------------------------------------------------

  // A stop or a pause that came while the rollout was starting stays: it is not running then.
  started(now: number, total: number, population: Population | null): void {
    if (this.state.phase === 'pending') this.state.phase = 'running';
    this.state.startedAt = now;
    this.state.total = total;
    // With no eligible device there is nothing for a gate to judge: the rollout has no stages.
    this.state.stageSizes = population && population.eligible > 0 ? stageSizesOf(this.plan, population) : [];
    if (this.plan.approvalRequired) this.state.stage.phase = 'approval';
    this.changed();
  }

  // Before its start (start_at, or while it counts its devices) too: it starts paused.
  pause(): boolean {
    if (!this.steerable || this.state.pausedBy !== null) return false;
    this.state.pausedBy = 'operator';
    return this.changed();
  }

  resume(now: number): boolean {
    if (this.state.pausedBy === null || !this.steerable) return false;
    this.state.pausedBy = null;
    this.state.rate = null;
    this.state.tendDueAt = now;
    return this.changed();
  }

  private get steerable(): boolean {
    return this.state.phase === 'running' || this.state.phase === 'pending';
  }

  // Nothing more is sent. Devices never reached end `skipped` or `canceled`; devices that have the
  // command keep their real answer until their deadline, unless `cancelWaiting` (an end time with
  // on_end: cancel) ends them canceled at once.
  halt(kind: StopKind, reason: StatusReason | null, cancelWaiting = false): boolean {
    if (this.state.phase === 'ended' || this.state.stop) return false;
    this.state.phase = 'stopping';
    this.state.stop = { kind, reason, ...(cancelWaiting ? { cancelWaiting } : {}) };
    this.state.pausedBy = null;
    this.state.queue = [];
    return this.changed();
  }

  // Waiting for someone to let the next stage (or the first device) start.
  get awaitingApproval(): boolean {
    return this.state.phase === 'running' && this.state.stage.phase === 'approval';
  }

  approve(by: Approver, at: number, comment: string | null): boolean {
    if (!this.awaitingApproval) return false;
    this.decide('approved', by, at, comment);
    this.state.stage.phase = 'dispatching';
    return this.changed();
  }

  reject(by: Approver, at: number, comment: string | null): boolean {
    if (!this.awaitingApproval) return false;
    this.decide('rejected', by, at, comment);
    const subject = approvalSubject(this.plan, this.state.stage.index);
    const why = comment ? `: ${comment}` : '';
    return this.halt('abort', {
      code: 'approval_rejected',
      message: `${by.email} rejected starting ${subject}${why}`,
    });
  }

  private decide(decision: 'approved' | 'rejected', by: Approver, at: number, comment: string | null): void {
    const stage = this.state.stage.index;
    this.state.approvals.push({ stage, decision, by, at: new Date(at).toISOString(), comment });
  }

  unreachedSettled(snapshot: CountsSnapshot): void {
    this.state.unreachedSettled = true;
    this.counted(snapshot);
    this.changed();
  }

  get needsUnreachedSettled(): boolean {
    return this.state.phase === 'stopping' && !this.state.unreachedSettled && this.state.launched.running === 0;
  }

  ended(status: TerminalBulkStatus): void {
    this.state.phase = 'ended';
    this.state.finalStatus = status;
    this.changed();
  }

  // --- What the registry says ------------------------------------------------------------

  counted(snapshot: CountsSnapshot): void {
    if (snapshot.version < this.state.counts.version) return;
    this.state.counts = snapshot;
    this.changed();
    if (this.state.phase !== 'running') return;
    const reason = abortReasonOf(this.plan.abort, this.counts);
    if (reason) this.halt('abort', reason);
  }

  tended(now: number, result: { snapshot: CountsSnapshot; nextDueAt: number | null; connectedWaiting: boolean }) {
    this.state.lastTendAt = now;
    this.state.probedUpTo = now;
    this.state.tendDueAt = result.nextDueAt;
    this.state.connectedWaiting ||= result.connectedWaiting;
    this.counted(result.snapshot);
    this.changed();
  }

  devicesConnected(): void {
    this.state.connectedWaiting = true;
    this.changed();
  }

  // --- Walking the fleet -----------------------------------------------------------------

  // A page to load now: for a gated stage, the online devices still missing from it; for the
  // rest, the next page of the fleet after the cursor.
  pageWanted(): { kind: 'stage'; limit: number } | { kind: 'fleet'; after: string | null } | null {
    if (this.state.phase !== 'running' || this.state.queue.length > 0) return null;
    if (this.state.stage.phase !== 'dispatching') return null;
    if (this.inGatedStage) {
      // A stage page leaves out devices with a row: launches still writing theirs must finish first.
      const missing = this.state.stageSizes[this.state.stage.index]! - this.state.stageDispatched;
      return missing > 0 && this.state.launched.running === 0 ? { kind: 'stage', limit: missing } : null;
    }
    return this.state.walkDone ? null : { kind: 'fleet', after: this.state.cursor };
  }

  stagePageLoaded(devices: DeviceRef[]): void {
    this.state.queue = devices;
    // Fewer online devices than the stage wanted: the stage is what could be found.
    if (devices.length === 0) this.state.stageSizes[this.state.stage.index] = this.state.stageDispatched;
    this.changed();
  }

  fleetPageLoaded(page: { devices: DeviceRef[]; lastDeviceId: string | null; full: boolean; newDevices: number }) {
    this.state.queue = page.devices;
    this.state.cursor = page.lastDeviceId ?? this.state.cursor;
    this.state.walkDone = !page.full;
    if (this.state.sweepStartedAt !== null) this.state.total += page.newDevices;
    this.changed();
  }

  // A registry action's next page may be applied now: running, not paused, inside a window.
  mayWorkNow(now: number): boolean {
    const { state, plan } = this;
    if (state.phase !== 'running' || state.pausedBy !== null || this.pastEnd(now)) return false;
    return dispatchStateAt(plan.windows ?? undefined, now, 0).dispatch;
  }

  // How many devices may be launched now, and until when the maintenance window lets them act.
  launchable(now: number): { count: number; deadlineAt: number | null } {
    const { state, plan } = this;
    if (state.phase !== 'running' || state.pausedBy !== null || state.stage.phase !== 'dispatching')
      return { count: 0, deadlineAt: null };
    if (this.pastEnd(now)) return { count: 0, deadlineAt: null };
    const gate = dispatchStateAt(plan.windows ?? undefined, now, plan.deadlineMilliseconds);
    if (!gate.dispatch) return { count: 0, deadlineAt: null };
    let count = Math.min(state.queue.length, this.onlineRoom(), plan.maxEnqueued - this.enqueuedWaiting());
    if (this.inGatedStage) count = Math.min(count, state.stageSizes[state.stage.index]! - state.stageDispatched);
    const rate = this.ratePerMinute();
    if (rate !== null) count = Math.min(count, paceCredit(state.rate, rate, now));
    return { count: Math.max(0, count), deadlineAt: gate.deadlineAt };
  }

  launch(now: number, count: number): DeviceRef[] {
    const devices = this.state.queue.splice(0, count);
    // Nothing launched, nothing new to look after: a turn that may not send (paused, outside a
    // window, waiting for newcomers) scheduled a look at the rows every time, waking an idle
    // rollout every resend interval (10 s by default) for as long as it waited.
    if (devices.length === 0) return devices;
    this.state.launched.running += devices.length;
    this.state.stageDispatched += devices.length;
    const rate = this.ratePerMinute();
    if (rate !== null) this.state.rate = paceAfterLaunch(this.state.rate, rate, now, devices.length);
    // New rows are due for a re-send, or expire, this long after now: look at them then.
    this.scheduleTend(now);
    this.changed();
    return devices;
  }

  launched(outcome: LaunchOutcome): void {
    this.state.launched.running -= 1;
    if (outcome === 'sent') this.state.launched.sent += 1;
    else if (outcome === 'enqueued') this.state.launched.enqueued += 1;
    else if (outcome === 'gone') {
      this.state.stageDispatched -= 1;
      if (this.state.rate) this.state.rate.sent -= 1;
    }
    this.changed();
  }

  // Devices that were offline at dispatch and connected since: how many may be sent to now.
  connectedLaunchable(now: number): number {
    if (!this.state.connectedWaiting || this.state.phase !== 'running' || this.state.pausedBy !== null) return 0;
    if (this.pastEnd(now)) return 0;
    return this.onlineRoom();
  }

  connectedLaunched(now: number, sent: number, more: boolean): void {
    this.state.launched.sent += sent;
    this.state.connectedWaiting = more;
    if (sent > 0) this.scheduleTend(now);
    this.changed();
  }

  // --- Time ------------------------------------------------------------------------------

  tendDue(now: number): boolean {
    const dueAt = this.tendDueAt();
    return dueAt !== null && now >= dueAt;
  }

  // The next look at the waiting devices: when the rows say something is due, and while devices
  // wait, every few seconds anyway (a signal lost with a worker must not leave the rollout waiting).
  private tendDueAt(): number | null {
    const { state } = this;
    if (state.phase === 'pending' || state.phase === 'ended') return null;
    // Counted from the start until the first look: from 0 it was always overdue, so every turn
    // that launched slept through a timer "due at once" (about a second on the dev server) with
    // answers waiting.
    const lookedAt = Math.max(state.lastTendAt, state.startedAt ?? 0);
    const safety = this.awaitingRows() ? lookedAt + safetyTendIntervalMilliseconds : null;
    const due = Math.min(state.tendDueAt ?? Infinity, safety ?? Infinity);
    return Number.isFinite(due) ? Math.max(due, state.lastTendAt + minimumTendIntervalMilliseconds) : null;
  }

  private awaitingRows(): boolean {
    const { launched, counts } = this.state;
    return (
      launched.running > 0 ||
      counts.sentEntries < launched.sent ||
      counts.enqueuedEntries < launched.enqueued ||
      waitingOf(this.counts) > 0
    );
  }

  // Whether re-sends and the last copy at a deadline may go out: never once the rollout stopped or
  // while it is paused.
  get publishing(): boolean {
    return this.state.phase === 'running' && this.state.pausedBy === null;
  }

  checkDue(now: number): boolean {
    const { nextCheckAt } = this.state;
    const until = this.plan.continuous?.untilAt ?? 0;
    return this.passDone && this.state.pausedBy === null && nextCheckAt !== null && now >= nextCheckAt && now < until;
  }

  newcomersChecked(now: number, newcomers: number): void {
    if (newcomers > 0) {
      this.state.sweepStartedAt = now;
      this.state.cursor = null;
      this.state.walkDone = false;
      this.state.nextCheckAt = null;
    } else {
      this.state.nextCheckAt = this.nextCheckAfter(now);
    }
    this.changed();
  }

  // The earliest time something is due without anything else happening; null: only an event.
  nextWakeAt(now: number): number | null {
    const { state, plan } = this;
    const times: number[] = [];
    if (state.phase === 'pending' && state.startAt !== null) times.push(state.startAt);
    const tendAt = this.tendDueAt();
    if (tendAt !== null) times.push(tendAt);
    if (state.stage.bakeUntil !== null) times.push(state.stage.bakeUntil);
    if (state.windowOpensAt !== null) times.push(state.windowOpensAt);
    if (state.nextCheckAt !== null) times.push(state.nextCheckAt);
    const rate = this.ratePerMinute();
    if (rate !== null && state.queue.length > 0) {
      const pacedAt = nextPacedAt(state.rate, rate, now);
      if (pacedAt !== null) times.push(pacedAt);
    }
    if (plan.end && (state.phase === 'running' || state.phase === 'pending') && state.stop === null)
      times.push(plan.end.at);
    const next = Math.min(...times);
    return Number.isFinite(next) ? Math.max(next, now) : null;
  }

  // --- Moving on: stages, gates, the end -------------------------------------------------

  // Moves the rollout on as far as what it knows allows: a stage that has everything it needs
  // settles, bakes and is judged; a pass that is done waits for newcomers or ends. Answers the
  // final status once the rollout may end (every device final, nothing launched unaccounted).
  advance(now: number): TerminalBulkStatus | null {
    const { state } = this;
    this.noteWindow(now);
    if (state.phase === 'stopping') return this.unreachedSettledAndQuiet() ? this.stoppedStatus() : null;
    if (state.phase !== 'running') return null;
    if (this.endReached(now)) return null;
    if (this.inGatedStage) {
      this.advanceStage(now);
      return null;
    }
    if (!this.passDone) return null;
    if (this.plan.continuous && now < this.plan.continuous.untilAt) {
      if (state.nextCheckAt === null && state.sweepStartedAt === null) this.waitForNewcomers(now);
      if (state.sweepStartedAt !== null) this.sweepDone(now);
      return null;
    }
    return this.quiet() ? finalStatusOf(this.counts) : null;
  }

  private advanceStage(now: number): void {
    const { state } = this;
    const size = state.stageSizes[state.stage.index]!;
    const stageCounts = state.counts.stages[state.stage.index];
    if (state.stage.phase === 'dispatching' && state.stageDispatched >= size && state.launched.running === 0) {
      state.stage.phase = 'settling';
      this.changed();
    }
    if (state.stage.phase === 'settling') {
      const settled = recordedOf(stageCounts) >= state.stageDispatched && waitingOf(stageCounts ?? emptyCounts()) === 0;
      if (!settled) return;
      const bake = this.plan.stages[state.stage.index]!.bakeMilliseconds;
      state.stage = { ...state.stage, phase: 'baking', bakeUntil: now + bake };
      this.changed();
    }
    if (state.stage.phase === 'baking' && now >= (state.stage.bakeUntil ?? 0)) this.judgeStage();
  }

  private judgeStage(): void {
    const { state } = this;
    const stage = this.plan.stages[state.stage.index]!;
    const reason = stageVerdictOf(stage, state.counts.stages[state.stage.index] ?? emptyCounts());
    if (reason) {
      this.halt('abort', reason);
      return;
    }
    const next = stage.then === 'approve' ? 'approval' : 'dispatching';
    state.stage = { index: state.stage.index + 1, phase: next, bakeUntil: null };
    state.stageDispatched = 0;
    if (stage.then === 'pause') state.pausedBy = 'gate';
    this.changed();
  }

  private get passDone(): boolean {
    const { state } = this;
    return (
      state.phase === 'running' &&
      !this.inGatedStage &&
      state.walkDone &&
      state.queue.length === 0 &&
      state.launched.running === 0
    );
  }

  private waitForNewcomers(now: number): void {
    this.state.nextCheckAt = this.nextCheckAfter(now);
    this.changed();
  }

  private sweepDone(now: number): void {
    this.state.sweepStartedAt = null;
    this.state.nextCheckAt = this.nextCheckAfter(now);
    this.changed();
  }

  private nextCheckAfter(now: number): number {
    const continuous = this.plan.continuous!;
    return Math.min(continuous.untilAt, now + continuous.checkIntervalMilliseconds);
  }

  // Every launched device is in the counts, and none of them waits for an answer any more.
  private quiet(): boolean {
    const { state } = this;
    const counts = this.counts;
    return (
      state.launched.running === 0 &&
      state.counts.sentEntries >= state.launched.sent &&
      state.counts.enqueuedEntries >= state.launched.enqueued &&
      waitingOf(counts) === 0 &&
      !state.connectedWaiting
    );
  }

  private unreachedSettledAndQuiet(): boolean {
    const { state } = this;
    if (!state.unreachedSettled || state.launched.running !== 0) return false;
    return state.counts.sentEntries >= state.launched.sent && waitingOf(this.counts) === 0;
  }

  private stoppedStatus(): TerminalBulkStatus {
    const kind = this.state.stop!.kind;
    if (kind === 'fail') return 'failed';
    if (kind === 'abort') return 'aborted';
    return 'canceled';
  }

  private pastEnd(now: number): boolean {
    return this.plan.end !== null && now >= this.plan.end.at;
  }

  // At the end time, with devices still to send to (or newcomers still to look for): nothing more
  // is sent; with on_end cancel, devices waiting for an answer end canceled too.
  private endReached(now: number): boolean {
    const end = this.plan.end;
    if (!end || !this.pastEnd(now) || (this.passDone && !this.plan.continuous)) return false;
    const cancel = end.onEnd === 'cancel';
    const what = cancel ? 'devices still waiting for an answer were canceled' : 'devices that had the command answered';
    return this.halt(
      'end',
      {
        code: 'end_at_reached',
        message: `end_at ${new Date(end.at).toISOString()}: nothing more was sent (on_end ${end.onEnd}: ${what})`,
      },
      cancel,
    );
  }

  // Outside every maintenance window with devices to send: the rollout says when one opens.
  private noteWindow(now: number): void {
    const { state, plan } = this;
    let opensAt: number | null = null;
    const wantsToSend = state.phase === 'running' && state.pausedBy === null && !this.passDone;
    if (wantsToSend && plan.windows) {
      const gate = dispatchStateAt(plan.windows, now, plan.deadlineMilliseconds);
      if (!gate.dispatch) opensAt = gate.until;
    }
    if (opensAt === state.windowOpensAt) return;
    state.windowOpensAt = opensAt;
    this.changed();
  }

  // --- Room ------------------------------------------------------------------------------

  // Online devices waiting for an answer, counting launches the registry has not counted yet.
  private onlineWaiting(): number {
    const { launched, counts } = this.state;
    const total = this.counts;
    return launched.running + Math.max(0, launched.sent - counts.sentEntries) + total.sent + total.in_progress;
  }

  private enqueuedWaiting(): number {
    const { launched, counts } = this.state;
    return Math.max(0, launched.enqueued - counts.enqueuedEntries) + this.counts.enqueued;
  }

  private onlineRoom(): number {
    return Math.max(0, this.plan.maxInFlight - this.onlineWaiting());
  }

  // The pace now: the rate asked for, or the ramp's rate for the devices that succeeded so far.
  private ratePerMinute(): number | null {
    if (this.plan.ratePerMinute !== null) return this.plan.ratePerMinute;
    return this.plan.ramp ? rampedRate(this.plan.ramp, this.counts.success) : null;
  }

  private scheduleTend(now: number): void {
    const firstDue = now + (this.plan.resendOffsets[0] ?? this.plan.deadlineMilliseconds);
    this.state.tendDueAt = Math.min(this.state.tendDueAt ?? Infinity, firstDue);
  }

  private changed(): true {
    this.state.version += 1;
    return true;
  }
}
