// What a device that reports progress says while it works on a long command: a report when it
// starts and at each third of the work, then its final answer. Pure arithmetic, so the schedule
// and the extensions can be tested without a broker.

// Reports at these shares of the work; the final answer comes at 1.
const reportShares = [0, 1 / 3, 2 / 3] as const;
const steps = ['started', 'working', 'finishing'] as const;

// Asked for on top of the remaining work: the report and the final answer travel, and the service
// counts the extension from when it receives the report.
export const extensionMarginMs = 2000;

export interface PlannedReport {
  // From the moment the device starts acting.
  afterMs: number;
  percent: number;
  step: string;
}

export function plannedReports(workMs: number): PlannedReport[] {
  return reportShares.map((share, index) => ({
    afterMs: Math.round(share * workMs),
    percent: Math.round(share * 100),
    step: steps[index]!,
  }));
}

// Seconds to ask for when the work would end after the deadline the device knows (its envelope's
// expires_at, or the end of its last extension); undefined when it ends in time. The service may
// cap it (the rollout's max_device_seconds); the device does not know the cap and keeps working.
export function extensionSeconds(nowMs: number, finishAtMs: number, deadlineMs: number): number | undefined {
  if (finishAtMs + extensionMarginMs <= deadlineMs) return undefined;
  return Math.max(1, Math.ceil((finishAtMs - nowMs + extensionMarginMs) / 1000));
}
