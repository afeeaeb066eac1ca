// Maintenance windows, plain and deterministic: whether an instant lies inside one of a rollout's
// weekly windows, and when the next one opens or the current one closes. Wall-clock times are
// turned into instants with `Intl` (the runtime's IANA time-zone data), so DST changes move the
// windows with the local clock: a window at 02:00-04:00 stays at 02:00-04:00 local all year.
// Shared by the request schema, the workflows (which pass workflow time) and unit tests.

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

export interface MaintenanceWindow {
  days: Weekday[];
  start: string;
  end: string;
  timezone: string;
}

export type WindowState = { open: true; closesAt: number } | { open: false; opensAt: number };

const minute = 60_000;
const day = 24 * 60 * minute;
// Sending into the last moments of a window only makes devices time out: a device is dispatched
// only while this much of the window remains (or its whole deadline, if shorter).
const lastDispatchBeforeCloseMilliseconds = minute;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isTimeZone(name: string): boolean {
  try {
    formatterOf(name);
    return true;
  } catch {
    return false;
  }
}

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

interface LocalTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

function localTimeOf(instant: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatterOf(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

// How far the zone's clock is ahead of UTC at an instant.
function offsetAt(instant: number, timeZone: string): number {
  const local = localTimeOf(instant, timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

function wallClockOf(instant: number, timeZone: string): number {
  const local = localTimeOf(instant, timeZone);
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
}

// The instant a local wall-clock time happens. Twice (clocks going back): the first. Never
// (clocks going forward over it): the moment the clocks jump, the first local time after it.
export function instantOf(date: LocalDate, time: string, timeZone: string): number {
  const [hour, minutes] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minutes);
  const before = wall - offsetAt(wall - day / 2, timeZone);
  const after = wall - offsetAt(wall + day / 2, timeZone);
  const matches = [before, after].filter((candidate) => wallClockOf(candidate, timeZone) === wall);
  if (matches.length > 0) return Math.min(...matches);
  let low = Math.min(before, after);
  let high = Math.max(before, after);
  while (high - low > minute) {
    const middle = low + Math.floor((high - low) / 2 / minute) * minute;
    if (offsetAt(middle, timeZone) === offsetAt(low, timeZone)) low = middle;
    else high = middle;
  }
  return high;
}

function addDays(date: LocalDate, days: number): LocalDate & { weekday: Weekday } {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    weekday: weekdays[(shifted.getUTCDay() + 6) % 7]!,
  };
}

// Every opening of a window from the day before `instant` to a week after it, as instants.
function intervalsAround(window: MaintenanceWindow, instant: number): [number, number][] {
  const today = localTimeOf(instant, window.timezone);
  const overnight = window.end <= window.start;
  const intervals: [number, number][] = [];
  for (let offset = -1; offset <= 8; offset++) {
    const date = addDays(today, offset);
    if (!window.days.includes(date.weekday)) continue;
    const opens = instantOf(date, window.start, window.timezone);
    const closes = instantOf(overnight ? addDays(date, 1) : date, window.end, window.timezone);
    if (closes > opens) intervals.push([opens, closes]);
  }
  return intervals;
}

// Inside a window: when the last of the windows overlapping it closes. Outside: when one opens.
export function windowStateAt(windows: readonly MaintenanceWindow[], instant: number): WindowState {
  const intervals = windows.flatMap((window) => intervalsAround(window, instant)).sort((a, b) => a[0] - b[0]);
  let closesAt: number | undefined;
  for (const [opens, closes] of intervals) {
    const reaches = closesAt ?? instant;
    if (opens > reaches || closes <= reaches) continue;
    closesAt = closes;
  }
  if (closesAt !== undefined) return { open: true, closesAt };
  const next = intervals.find(([opens]) => opens > instant);
  // Every window opens at least once a week, and the intervals span more than a week.
  return { open: false, opensAt: next![0] };
}

// Whether a device may be dispatched now, and if so the latest its deadline may run to: the
// window's end, so that no device acts outside a window.
export function dispatchStateAt(
  windows: readonly MaintenanceWindow[] | undefined,
  instant: number,
  deadlineMilliseconds: number,
): { dispatch: true; deadlineAt: number | null } | { dispatch: false; until: number } {
  if (!windows || windows.length === 0) return { dispatch: true, deadlineAt: null };
  const state = windowStateAt(windows, instant);
  if (!state.open) return { dispatch: false, until: state.opensAt };
  const lastDispatch = state.closesAt - Math.min(deadlineMilliseconds, lastDispatchBeforeCloseMilliseconds);
  if (instant < lastDispatch) return { dispatch: true, deadlineAt: state.closesAt };
  const after = windowStateAt(windows, state.closesAt);
  return { dispatch: false, until: after.open ? state.closesAt : after.opensAt };
}

export function describeWindows(windows: readonly MaintenanceWindow[]): string {
  return windows
    .map((window) => `${window.days.join(',')} ${window.start}-${window.end} ${window.timezone}`)
    .join('; ');
}
