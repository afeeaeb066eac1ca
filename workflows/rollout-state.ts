import type { RolloutView, StatusReason } from '../contracts/bulk-action.types';
import type { Rollout } from '../contracts/fleet-action.schema';
import { describeWindows } from '../contracts/maintenance-windows';
import { abortReason, progressSentence } from '../contracts/rollout-rules';
import { addCounts, emptyCounts, pendingCount, type BulkCounts, type BulkStatus } from '../contracts/statuses';
import type { BatchReport, BatchWindow } from './definitions';

// What a rollout carries across continue-as-new: bounded by the open batches, never by the fleet.
export interface RolloutCarry {
  status: BulkStatus;
  paused: boolean;
  startedAt: string | null;
  startAt: string | null;
  total: number;
  closed: BulkCounts;
  open: BatchReport[];
  cursor: string | null;
  walkDone: boolean;
  nextBatch: number;
  dispatching: number | null;
  canaryBatch: number | null;
  canaryPassed: boolean;
  stopReason: StatusReason | null;
  failed: boolean;
  // Outside every maintenance window: when the next one opens (ISO).
  windowOpensAt?: string | null;
  // A continuous rollout after its initial pass: the fleet as of this time is being swept.
  sweepStartedAt?: string | null;
  nextCheckAt?: string | null;
}

export function freshCarry(): RolloutCarry {
  return {
    status: 'pending',
    paused: false,
    startedAt: null,
    startAt: null,
    total: 0,
    closed: emptyCounts(),
    open: [],
    cursor: null,
    walkDone: false,
    nextBatch: 0,
    dispatching: null,
    canaryBatch: null,
    canaryPassed: false,
    stopReason: null,
    failed: false,
    windowOpensAt: null,
    sweepStartedAt: null,
    nextCheckAt: null,
  };
}

// The rollout's bookkeeping, plain and deterministic: batches report here, the shared window and
// the abort rule are judged here, and the status query reads from here.
export class RolloutState {
  readonly open = new Map<number, BatchReport>();
  // Something changed that the dispatching batch or the registry has not been told yet.
  windowDirty = false;
  pauseDirty = false;
  progressDirty = false;

  constructor(
    readonly carry: RolloutCarry,
    private readonly rollout: Rollout | undefined,
  ) {
    for (const report of carry.open) this.open.set(report.batchNumber, report);
  }

  counts(): BulkCounts {
    const counts = { ...this.carry.closed };
    for (const report of this.open.values()) addCounts(counts, { ...report.counts, total: 0 });
    counts.total = Math.max(this.carry.total, counts.total);
    counts.pending = pendingCount(counts);
    return counts;
  }

  applyReport(report: BatchReport, batchSize: number): void {
    const previous = this.open.get(report.batchNumber);
    if (!previous) return;
    // A sweep's page names the devices that joined the fleet: they join the total once.
    if (report.page && !previous.page) this.carry.total += report.page.newDevices ?? 0;
    this.open.set(report.batchNumber, report);
    if (report.page && report.batchNumber !== this.carry.canaryBatch) {
      this.carry.cursor = report.page.lastDeviceId ?? this.carry.cursor;
      if (report.page.deviceCount < batchSize) this.carry.walkDone = true;
    }
    if (report.dispatched && this.carry.dispatching === report.batchNumber) this.carry.dispatching = null;
    if (report.done) this.close(report);
    this.windowDirty = true;
    this.progressDirty = true;
    this.carry.stopReason ??= abortReason(this.rollout, this.counts()) ?? null;
  }

  opened(batchNumber: number, counts: BulkCounts): void {
    const report: BatchReport = {
      batchNumber,
      counts,
      onlineInFlight: 0,
      enqueued: 0,
      page: null,
      dispatched: false,
      done: false,
      failure: null,
    };
    this.open.set(batchNumber, report);
    this.carry.dispatching = batchNumber;
  }

  // What the batches other than `batchNumber` hold of the shared window and enqueued bound.
  othersOf(batchNumber: number | null): BatchWindow {
    const window: BatchWindow = { onlineInFlight: 0, enqueued: 0, counts: { ...this.carry.closed } };
    for (const report of this.open.values()) {
      if (report.batchNumber === batchNumber) continue;
      window.onlineInFlight += report.onlineInFlight;
      window.enqueued += report.enqueued;
      addCounts(window.counts, { ...report.counts, total: 0 });
    }
    return window;
  }

  view(): RolloutView {
    const status = this.carry.paused && this.carry.status === 'processing' ? 'paused' : this.carry.status;
    return {
      status,
      counts: this.counts(),
      startedAt: this.carry.startedAt,
      statusReason: this.carry.stopReason,
      waitingFor: this.waitingFor(status),
    };
  }

  details(): string {
    const view = this.view();
    const waiting = view.waitingFor ? `\nWaiting for: ${view.waitingFor}` : '';
    return `${view.status}: ${progressSentence(view.counts)}${waiting}`;
  }

  toCarry(): RolloutCarry {
    return { ...this.carry, open: [...this.open.values()] };
  }

  private close(report: BatchReport): void {
    this.open.delete(report.batchNumber);
    addCounts(this.carry.closed, { ...report.counts, total: 0 });
    if (report.failure) {
      this.carry.failed = true;
      this.carry.stopReason ??= { code: 'workflow_failed', message: report.failure };
    }
  }

  private waitingFor(status: BulkStatus): string | null {
    if (status === 'pending' && this.carry.startAt) return `the start time ${this.carry.startAt}`;
    if (status === 'paused') return 'resume (paused by an operator or the canary gate)';
    const counts = this.counts();
    if (this.carry.canaryBatch !== null && !this.carry.canaryPassed && this.open.has(this.carry.canaryBatch)) {
      return `the canary's answers (${counts.sent} online devices waiting), then its gate`;
    }
    if (status !== 'processing' && status !== 'canceling') return null;
    const parts: string[] = [];
    const windowOpensAt = this.windowOpensAt();
    if (windowOpensAt && this.rollout?.windows) {
      parts.push(`the maintenance window opening at ${windowOpensAt} (${describeWindows(this.rollout.windows)})`);
    }
    if (counts.sent > 0 || parts.length === 0) parts.push(`${counts.sent} online devices to answer`);
    if (counts.enqueued > 0) parts.push(`${counts.enqueued} devices enqueued offline until they reconnect or time out`);
    const until = this.rollout?.continuous?.until;
    if (until && this.carry.walkDone && this.carry.sweepStartedAt === null) {
      const next = this.carry.nextCheckAt ? `, next check ${this.carry.nextCheckAt}` : '';
      parts.push(`devices that come to match the fleet until ${until}${next}`);
    }
    return parts.join('; ');
  }

  // The rollout's own wait, or the dispatching batch's (a window closed while it dispatched).
  private windowOpensAt(): string | null {
    if (this.carry.windowOpensAt) return this.carry.windowOpensAt;
    for (const report of this.open.values()) {
      if (report.waitingUntil !== undefined) return new Date(report.waitingUntil).toISOString();
    }
    return null;
  }
}
