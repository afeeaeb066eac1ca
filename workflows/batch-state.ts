import type { BatchDevice, PreparedBatch } from '../activities/device-command.activities';
import type { DeviceResult } from '../contracts/bulk-action.types';
import type { Rollout } from '../contracts/fleet-action.schema';
import { abortReason } from '../contracts/rollout-rules';
import { addCounts, emptyCounts, type BulkCounts, type FinalDeviceStatus } from '../contracts/statuses';
import type { BatchReport, BatchWindow } from './definitions';

// One batch's bookkeeping, plain and deterministic: which devices wait for an answer (online ones
// count against the rollout's window, offline ones are enqueued), which are settled, what the
// registry has not been told yet, and whether the rollout needs a fresh report.
export class BatchState {
  readonly counts: BulkCounts = emptyCounts();
  readonly unflushed: DeviceResult[] = [];
  readonly settled = new Set<string>();
  onlineInFlight = 0;
  enqueued = 0;
  others: BatchWindow;
  paused: boolean;
  stopped = false;
  page: BatchReport['page'] = null;
  dispatched = false;
  // Every device settled: no more results will come (the flusher may finish).
  allSettled = false;
  // Every result stored: the rollout may count the batch as ended.
  done = false;
  failure: string | null = null;
  // Outside the rollout's maintenance windows: when dispatching resumes.
  waitingUntil: number | null = null;
  // A report is owed: `urgent` ones (page loaded, dispatched, done) go at once, others batched.
  dirty = false;
  urgent = false;

  constructor(
    readonly batchNumber: number,
    initial: { paused: boolean; others: BatchWindow },
  ) {
    this.paused = initial.paused;
    this.others = initial.others;
  }

  get inFlight(): number {
    return this.onlineInFlight + this.enqueued;
  }

  // A sweep's page tells the rollout how many devices joined its fleet; a device skipped before
  // that receives the action now leaves the skipped count.
  loaded(prepared: PreparedBatch, sweep: boolean): void {
    this.counts.total = prepared.deviceCount;
    this.counts.skipped = prepared.skipped - (prepared.reconsidered ?? 0);
    this.page = {
      lastDeviceId: prepared.lastDeviceId,
      deviceCount: prepared.deviceCount,
      ...(sweep ? { newDevices: prepared.newDevices ?? 0 } : {}),
    };
    this.markUrgent();
  }

  // Online devices wait inside the rollout's window; offline ones inside the enqueued bound.
  hasRoom(device: BatchDevice, maxInFlight: number, maxEnqueued: number): boolean {
    if (device.online) return this.onlineInFlight + this.others.onlineInFlight < maxInFlight;
    return this.enqueued + this.others.enqueued < maxEnqueued;
  }

  // The abort rule over the whole rollout: this batch's exact counts plus the rest as last told.
  abortReached(rollout: Rollout | undefined): boolean {
    const combined = addCounts({ ...this.others.counts }, { ...this.counts, total: 0 });
    return abortReason(rollout, combined) !== undefined;
  }

  sent(device: BatchDevice): void {
    if (device.online) this.onlineInFlight += 1;
    else this.enqueued += 1;
    this.counts[device.online ? 'sent' : 'enqueued'] += 1;
    this.dirty = true;
  }

  answered(device: BatchDevice): void {
    if (device.online) this.onlineInFlight -= 1;
    else this.enqueued -= 1;
    this.counts[device.online ? 'sent' : 'enqueued'] -= 1;
  }

  settle(
    device: BatchDevice,
    status: FinalDeviceStatus,
    attempts: number,
    message?: string,
    answerSeconds?: number,
  ): void {
    if (this.settled.has(device.deviceId)) return;
    this.settled.add(device.deviceId);
    this.counts[status] += 1;
    this.unflushed.push({
      deviceId: device.deviceId,
      uniqueId: device.uniqueId,
      status,
      attempts,
      ...(message ? { message } : {}),
      ...(answerSeconds !== undefined ? { answerSeconds } : {}),
    });
    this.dirty = true;
  }

  markUrgent(): void {
    this.dirty = true;
    this.urgent = true;
  }

  report(): BatchReport {
    return {
      batchNumber: this.batchNumber,
      counts: { ...this.counts },
      onlineInFlight: this.onlineInFlight,
      enqueued: this.enqueued,
      page: this.page,
      dispatched: this.dispatched,
      done: this.done,
      failure: this.failure,
      ...(this.waitingUntil !== null ? { waitingUntil: this.waitingUntil } : {}),
    };
  }
}
