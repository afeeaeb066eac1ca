import type { Acknowledgement, CommandEnvelope } from '../contracts/device-protocol.schema';
import { extensionSeconds, plannedReports } from './progress-reports';

// A long command worked on by a device that reports progress: `in_progress` reports while it
// works (asking for more time whenever the work would outlast the deadline it knows), then the
// final answer. The device acted once, when the work started; reports are not answers, so a
// duplicate delivery meanwhile waits for the final answer like any other.

export interface ProgressWorkOptions {
  workMs: number;
  // Sends a report now (the responder drops it once stopped).
  report: (acknowledgement: Acknowledgement) => void;
  // Called once, when the work is done: the final answer is made then.
  finish: () => void;
  // Owned by the responder, which clears them when the device stops.
  timers: Set<NodeJS.Timeout>;
}

export function workWithProgress(envelope: CommandEnvelope, options: ProgressWorkOptions): void {
  const startedAt = Date.now();
  const finishAt = startedAt + options.workMs;
  let deadline = Date.parse(envelope.expires_at);
  const later = (delayMs: number, run: () => void) => {
    const timer = setTimeout(() => {
      options.timers.delete(timer);
      run();
    }, delayMs);
    options.timers.add(timer);
  };
  const report = (percent: number, step: string) => {
    const now = Date.now();
    const extend = extensionSeconds(now, finishAt, deadline);
    // The service moves the deadline to at least this; the device plans with what it asked for.
    if (extend !== undefined) deadline = Math.max(deadline, now + extend * 1000);
    options.report({
      execution_id: envelope.execution_id,
      status: 'in_progress',
      progress: { percent, step, ...(extend === undefined ? {} : { extend_seconds: extend }) },
      acknowledged_at: new Date(now).toISOString(),
    });
  };
  for (const planned of plannedReports(options.workMs)) {
    if (planned.afterMs === 0) report(planned.percent, planned.step);
    else later(planned.afterMs, () => report(planned.percent, planned.step));
  }
  later(options.workMs, options.finish);
}
