import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { BulkResponse } from './api-types';

export interface ProgressView {
  update(view: BulkResponse): void;
  stop(): void;
}

function finishedOf(view: BulkResponse): number {
  const { success, fail, timed_out, skipped, canceled } = view.counts;
  return success + fail + timed_out + skipped + canceled;
}

// What a running rollout waits for (its start time, a maintenance window, new devices, ...), so
// a bar that stands still says why.
function waitingOf(view: BulkResponse): string {
  return view.waiting_for ? ` | waiting for ${view.waiting_for}` : '';
}

export function summaryOf(view: BulkResponse): string {
  const { counts } = view;
  return `${view._id} ${view.status}: ${finishedOf(view)}/${counts.total} finished, success ${counts.success}, fail ${counts.fail}, timed_out ${counts.timed_out}, skipped ${counts.skipped}, enqueued ${counts.enqueued}, canceled ${counts.canceled}${waitingOf(view)}`;
}

// Devices finished per second since this watch first saw the bulk response.
function rateTracker() {
  const firstSeen = new Map<string, { at: number; finished: number }>();
  return (view: BulkResponse): string => {
    const finished = finishedOf(view);
    const first = firstSeen.get(view._id) ?? { at: Date.now(), finished };
    firstSeen.set(view._id, first);
    const seconds = (Date.now() - first.at) / 1000;
    return seconds < 1 ? '-' : ((finished - first.finished) / seconds).toFixed(1);
  };
}

const barFormat =
  '{id} {bar} {percentage}% {value}/{total} | ok {success} fail {fail} t/o {timed_out} skip {skipped} enq {enqueued} | {rate}/s ETA {eta_formatted} | {status}{waiting}';

// One live bar per bulk response on a terminal (cli-progress draws them); elsewhere a line per
// change, so logs and pipes read well too.
export function createProgressView(ids: readonly string[], interactive: boolean): ProgressView {
  const rateOf = rateTracker();
  if (!interactive) {
    return { update: (view) => process.stdout.write(`${summaryOf(view)}\n`), stop: () => undefined };
  }
  const multiBar = new MultiBar(
    { format: barFormat, hideCursor: true, clearOnComplete: false, etaBuffer: 20, fps: 5 },
    Presets.shades_classic,
  );
  const bars = new Map<string, SingleBar>();
  for (const id of ids) bars.set(id, multiBar.create(0, 0, blankPayload(id)));
  return {
    update(view) {
      const bar = bars.get(view._id);
      if (!bar) return;
      bar.setTotal(view.counts.total);
      bar.update(finishedOf(view), {
        id: view._id,
        status: view.status,
        waiting: waitingOf(view),
        rate: rateOf(view),
        ...view.counts,
      });
    },
    stop: () => multiBar.stop(),
  };
}

function blankPayload(id: string) {
  return {
    id,
    status: 'connecting',
    waiting: '',
    rate: '-',
    success: 0,
    fail: 0,
    timed_out: 0,
    skipped: 0,
    enqueued: 0,
  };
}
