import type { StatusReason } from './bulk-action.types';
import type { RolloutPlan } from './rollout-plan';
import { addCounts, emptyCounts, type BulkCounts, type DeviceStatus, type TerminalBulkStatus } from './statuses';

// The rollout model's state: what the workflow carries over a continue-as-new (bounded by a page
// of devices, never by the fleet), and the part of it the stored record keeps.

export interface DeviceRef {
  deviceId: string;
  uniqueId: string;
}

// The registry's counts for one bulk response: per stage, and how many rows ever entered `sent`
// or `enqueued` (so devices launched but not yet in a snapshot are told apart from counted ones).
export interface CountsSnapshot {
  version: number;
  stages: Record<number, BulkCounts>;
  sentEntries: number;
  enqueuedEntries: number;
}

export type StopKind = 'cancel' | 'abort' | 'fail' | 'end';
// `gone`: the device already had a final row (nothing sent); `failed`: it could not be sent to
// and its row says `fail`.
export type LaunchOutcome = 'sent' | 'enqueued' | 'gone' | 'failed';
// A stage sends its devices, waits for their answers, bakes, is judged; `approval`: it waits for
// someone other than the rollout's creator to let it start.
export type StagePhase = 'approval' | 'dispatching' | 'settling' | 'baking';

export interface Approver {
  user_id: string;
  email: string;
  role: string;
}

// Who let a stage start (or refused it), when, and why, as the record keeps it.
export interface ApprovalDecision {
  stage: number;
  decision: 'approved' | 'rejected';
  by: Approver;
  at: string;
  comment: string | null;
}

// What the stored record keeps of the rollout, so the API words the same view the workflow does.
export interface RolloutRecordState {
  phase: 'pending' | 'running' | 'stopping' | 'ended';
  pausedBy: 'operator' | 'gate' | null;
  stop: { kind: StopKind; reason: StatusReason | null; cancelWaiting?: boolean } | null;
  finalStatus: TerminalBulkStatus | null;
  approvals: ApprovalDecision[];
  startAt: number | null;
  stage: { index: number; phase: StagePhase; bakeUntil: number | null };
  stageSizes: number[];
  windowOpensAt: number | null;
  nextCheckAt: number | null;
  sweeping: boolean;
  walkDone: boolean;
  version: number;
}

export interface RolloutState extends RolloutRecordState {
  startedAt: number | null;
  total: number;
  unreachedSettled: boolean;
  stageDispatched: number;
  counts: CountsSnapshot;
  launched: { running: number; sent: number; enqueued: number };
  cursor: string | null;
  queue: DeviceRef[];
  sweepStartedAt: number | null;
  // The pace: since when, at which rate, how many sent since (a ramp's new rate starts afresh).
  rate: { anchorAt: number; sent: number; perMinute: number } | null;
  tendDueAt: number | null;
  lastTendAt: number;
  probedUpTo: number;
  connectedWaiting: boolean;
}

export function emptySnapshot(): CountsSnapshot {
  return { version: 0, stages: {}, sentEntries: 0, enqueuedEntries: 0 };
}

export function freshRolloutState(plan: RolloutPlan): RolloutState {
  return {
    phase: 'pending',
    pausedBy: null,
    stop: null,
    finalStatus: null,
    approvals: [],
    startAt: plan.startAt,
    stage: { index: 0, phase: 'dispatching', bakeUntil: null },
    stageSizes: [],
    windowOpensAt: null,
    nextCheckAt: null,
    sweeping: false,
    walkDone: false,
    version: 0,
    startedAt: null,
    total: 0,
    unreachedSettled: false,
    stageDispatched: 0,
    counts: emptySnapshot(),
    launched: { running: 0, sent: 0, enqueued: 0 },
    cursor: null,
    queue: [],
    sweepStartedAt: null,
    rate: null,
    tendDueAt: null,
    lastTendAt: 0,
    probedUpTo: 0,
    connectedWaiting: false,
  };
}

// Counts over every stage, with the rollout's total and the devices not reached yet.
export function totalCountsOf(snapshot: CountsSnapshot, total: number): BulkCounts {
  const counts = emptyCounts();
  for (const stageCounts of Object.values(snapshot.stages)) addCounts(counts, { ...stageCounts, total: 0 });
  const recorded = Object.entries(counts).reduce((sum, [key, value]) => (key === 'total' ? sum : sum + value), 0);
  counts.total = Math.max(total, recorded);
  counts.pending = counts.total - recorded;
  return counts;
}

export function waitingOf(counts: BulkCounts): number {
  return counts.sent + counts.enqueued + counts.in_progress;
}

export function recordedOf(counts: BulkCounts | undefined): number {
  if (!counts) return 0;
  const statuses: DeviceStatus[] = ['sent', 'enqueued', 'in_progress', 'success', 'fail', 'unhealthy', 'timed_out'];
  return statuses.reduce((sum, status) => sum + counts[status], 0);
}
