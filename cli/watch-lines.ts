import { isTerminalBulkStatus } from '../contracts/statuses';
import type { BulkResponse } from './api-types';

// What `watch` shows for one bulk response, as plain lines no wider than the terminal: pure
// functions of the view, the observed rate and the time, so they are tested without a terminal.

export interface WatchLineOptions {
  // Devices finished per second since the watch began; undefined until it can tell.
  ratePerSecond: number | undefined;
  now: number;
  width: number;
  // The clock times' zone; the operator's own when absent.
  timeZone?: string | undefined;
}

export function finishedOf(view: BulkResponse): number {
  const { success, fail, unhealthy, timed_out, skipped, canceled } = view.counts;
  return success + fail + unhealthy + timed_out + skipped + canceled;
}

export function clockOf(instant: number, timeZone?: string): string {
  const format = new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    ...(timeZone ? { timeZone } : {}),
  });
  return format.format(new Date(instant));
}

export function durationOf(milliseconds: number): string {
  const seconds = Math.max(0, Math.ceil(milliseconds / 1000));
  if (seconds < 60) return `${seconds}s`;
  const pad = (value: number) => String(value).padStart(2, '0');
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${pad(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h${pad(Math.floor((seconds % 3600) / 60))}m`;
}

// The words come from contracts/rollout-view.ts: an approval before the first device has no stage.
export function waitsForApproval(view: BulkResponse): boolean {
  return view.stage?.phase === 'approval' || (view.waiting_for ?? '').startsWith('an approval');
}

// Devices sent or enqueued end by their deadline at the latest, so a rate alone (which says
// "1s" when the last devices are offline) never claims less than the last deadline.
export function etaOf(view: BulkResponse, options: Omit<WatchLineOptions, 'width'>): string {
  const { ratePerSecond, now, timeZone } = options;
  if (isTerminalBulkStatus(view.status)) return '';
  if (view.status === 'pending') return 'ETA - (not started)';
  if (waitsForApproval(view)) return 'ETA - (waiting for an approval)';
  if (view.status === 'paused') return 'ETA - (paused)';
  const remaining = view.counts.total - finishedOf(view);
  const deadline = view.last_deadline_at ? Date.parse(view.last_deadline_at) : Number.NaN;
  const hasDeadline = Number.isFinite(deadline);
  if (remaining <= 0) return 'ETA - (recording the last answers)';
  if (view.counts.pending === 0 && hasDeadline) {
    if (deadline <= now) return `ETA - (the last deadline, ${clockOf(deadline, timeZone)}, has passed)`;
    return `waiting for deadlines until ${clockOf(deadline, timeZone)} (at most ${durationOf(deadline - now)})`;
  }
  if (ratePerSecond === undefined || ratePerSecond <= 0) return 'ETA -';
  const byRate = (remaining / ratePerSecond) * 1000;
  if (hasDeadline && deadline - now > byRate) {
    return `ETA ${durationOf(deadline - now)} (last deadline ${clockOf(deadline, timeZone)})`;
  }
  return `ETA ${durationOf(byRate)}`;
}

const phaseWords = {
  approval: 'waiting for an approval to start',
  dispatching: 'sending',
  settling: 'waiting for its answers',
  baking: 'baking',
} as const;

export function stageLineOf(view: BulkResponse, timeZone?: string): string | undefined {
  const { stage } = view;
  if (!stage || isTerminalBulkStatus(view.status)) return undefined;
  const devices = stage.devices === null ? '' : ` (${stage.devices} devices)`;
  const bake =
    stage.phase === 'baking' && stage.bake_until ? ` until ${clockOf(Date.parse(stage.bake_until), timeZone)}` : '';
  const gate = stage.min_success_rate === null ? '' : `; gate: ${Math.round(stage.min_success_rate * 100)}% success`;
  return `stage ${stage.index + 1} of ${stage.of}: ${stage.name}${devices}, ${phaseWords[stage.phase]}${bake}${gate}`;
}

export function approvalLineOf(view: BulkResponse): string | undefined {
  if (isTerminalBulkStatus(view.status) || !waitsForApproval(view)) return undefined;
  return `approval needed: "fleet-actions approve ${view._id}" (or reject), by someone other than who started it`;
}

// Word wrap to `width` columns: the first line starts with `first`, the later ones with `rest`;
// a word longer than a line is cut into pieces.
export function wrapText(text: string, width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  let line = '';
  const roomOf = (prefix: string) => Math.max(1, width - prefix.length);
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const joined = line ? `${line} ${word}` : word;
    if (joined.length <= roomOf(lines.length === 0 ? first : rest)) {
      line = joined;
      continue;
    }
    if (line) lines.push((lines.length === 0 ? first : rest) + line);
    let piece = word;
    while (piece.length > roomOf(lines.length === 0 ? first : rest)) {
      const room = roomOf(lines.length === 0 ? first : rest);
      lines.push((lines.length === 0 ? first : rest) + piece.slice(0, room));
      piece = piece.slice(room);
    }
    line = piece;
  }
  if (line) lines.push((lines.length === 0 ? first : rest) + line);
  return lines;
}

function barOf(finished: number, total: number, width: number): string {
  const cells = Math.max(10, Math.min(30, width - 60));
  const filled = total > 0 ? Math.round((finished / total) * cells) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(cells - filled)}]`;
}

export function watchLinesOf(view: BulkResponse, options: WatchLineOptions): string[] {
  const { counts } = view;
  const { width, timeZone } = options;
  const finished = finishedOf(view);
  const percent = counts.total > 0 ? Math.floor((finished / counts.total) * 100) : 0;
  const rate = options.ratePerSecond === undefined ? '-' : options.ratePerSecond.toFixed(1);
  const eta = etaOf(view, options);
  const head = `${view._id} ${view.status} ${barOf(finished, counts.total, width)} ${percent}% ${finished}/${counts.total}`;
  const tally = `ok ${counts.success} fail ${counts.fail} unhealthy ${counts.unhealthy} t/o ${counts.timed_out} skip ${counts.skipped} canceled ${counts.canceled} | sent ${counts.sent + counts.in_progress} enq ${counts.enqueued}`;
  const pace = `${rate}/s${eta ? ` | ${eta}` : ''}`;
  const details = [tally, pace, stageLineOf(view, timeZone), approvalLineOf(view)];
  if (view.waiting_for && !isTerminalBulkStatus(view.status)) details.push(`waiting for ${view.waiting_for}`);
  return [
    ...wrapText(head, width, '', '  '),
    ...details.flatMap((text) => (text ? wrapText(text, width, '  ', '    ') : [])),
  ];
}
