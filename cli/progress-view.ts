import type { BulkResponse } from './api-types';
import { finishedOf, watchLinesOf, wrapText } from './watch-lines';

export interface ProgressView {
  update(view: BulkResponse): void;
  stop(): void;
}

// Wrapping needs a width: a pipe or a log has none, so it gets a common terminal's.
const defaultWidth = 100;
const redrawMilliseconds = 200;
// The ETA counts down between events.
const tickMilliseconds = 1000;

function widthOf(): number {
  return process.stdout.columns || defaultWidth;
}

// What a running rollout waits for (its start time, a maintenance window, new devices, ...), so
// a count that stands still says why.
function waitingOf(view: BulkResponse): string {
  return view.waiting_for ? ` | waiting for ${view.waiting_for}` : '';
}

export function summaryOf(view: BulkResponse): string {
  const { counts } = view;
  return `${view._id} ${view.status}: ${finishedOf(view)}/${counts.total} finished, success ${counts.success}, fail ${counts.fail}, timed_out ${counts.timed_out}, skipped ${counts.skipped}, enqueued ${counts.enqueued}, canceled ${counts.canceled}, unhealthy ${counts.unhealthy}${waitingOf(view)}`;
}

// Devices finished per second since this watch first saw the bulk response.
function rateTracker() {
  const firstSeen = new Map<string, { at: number; finished: number }>();
  return (view: BulkResponse, now: number): number | undefined => {
    const finished = finishedOf(view);
    const first = firstSeen.get(view._id) ?? { at: now, finished };
    firstSeen.set(view._id, first);
    const seconds = (now - first.at) / 1000;
    return seconds < 1 ? undefined : (finished - first.finished) / seconds;
  };
}

// On a terminal, one block per bulk response, redrawn in place (cursor up, clear down); every
// line is wrapped to the terminal's width so the block's height is known. Elsewhere (logs,
// pipes) the block is printed again on each change.
export function createProgressView(ids: readonly string[], interactive: boolean): ProgressView {
  const rateOf = rateTracker();
  const latest = new Map<string, { view: BulkResponse; rate: number | undefined }>();
  const linesOf = (id: string, now: number): string[] => {
    const seen = latest.get(id);
    if (!seen) return wrapText(`${id} connecting`, widthOf());
    return watchLinesOf(seen.view, { ratePerSecond: seen.rate, now, width: widthOf() });
  };
  if (!interactive) {
    return {
      update(view) {
        const now = Date.now();
        latest.set(view._id, { view, rate: rateOf(view, now) });
        process.stdout.write(`${linesOf(view._id, now).join('\n')}\n`);
      },
      stop: () => undefined,
    };
  }
  let drawnLines = 0;
  let redraw: NodeJS.Timeout | undefined;
  const draw = () => {
    redraw = undefined;
    const now = Date.now();
    const lines = ids.flatMap((id) => linesOf(id, now));
    const up = drawnLines > 0 ? `\x1b[${drawnLines}F` : '';
    process.stdout.write(`${up}\x1b[J${lines.join('\n')}\n`);
    drawnLines = lines.length;
  };
  const ticker = setInterval(draw, tickMilliseconds);
  ticker.unref();
  draw();
  return {
    update(view) {
      if (!ids.includes(view._id)) return;
      latest.set(view._id, { view, rate: rateOf(view, Date.now()) });
      redraw ??= setTimeout(draw, redrawMilliseconds);
    },
    stop() {
      clearInterval(ticker);
      if (redraw) clearTimeout(redraw);
      draw();
    },
  };
}
