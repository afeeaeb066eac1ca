import { InvalidArgumentError } from 'commander';
import { isTimeZone, weekdays, type MaintenanceWindow, type Weekday } from '../contracts/maintenance-windows';

// `--window "<days> <HH:MM>-<HH:MM> <IANA zone>"`, as an operator says it ("mon-fri 02:00-04:00
// Europe/Berlin"), turned into the request's `{days, start, end, timezone}`. Commander reports a
// thrown InvalidArgumentError as a usage error naming the option and the value.

export const windowOptionFormat = '"<days> <HH:MM>-<HH:MM> <IANA zone>"';
const daysHelp = 'days are mon..sun, ranges (mon-fri, fri-mon), lists (sat,sun) or daily';
const wallClockTime = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

function weekdayOf(name: string): Weekday {
  const day = weekdays.find((candidate) => candidate === name.toLowerCase());
  if (!day) throw new InvalidArgumentError(`"${name}" is not a day: ${daysHelp}.`);
  return day;
}

// A range may wrap the week end: fri-mon is fri, sat, sun, mon.
function dayRange(first: Weekday, last: Weekday): Weekday[] {
  const from = weekdays.indexOf(first);
  const length = ((weekdays.indexOf(last) - from + 7) % 7) + 1;
  return Array.from({ length }, (_, step) => weekdays[(from + step) % 7]!);
}

function daysOf(text: string): Weekday[] {
  if (text.toLowerCase() === 'daily') return [...weekdays];
  const days = new Set<Weekday>();
  for (const part of text.split(',')) {
    const [first, last, ...rest] = part.split('-');
    if (rest.length > 0 || !first) throw new InvalidArgumentError(`"${part}" is not a day or range: ${daysHelp}.`);
    const range = last === undefined ? [weekdayOf(first)] : dayRange(weekdayOf(first), weekdayOf(last));
    for (const day of range) days.add(day);
  }
  return weekdays.filter((day) => days.has(day));
}

function hoursOf(text: string): { start: string; end: string } {
  const [start, end, ...rest] = text.split('-');
  if (rest.length > 0 || !start || !end || !wallClockTime.test(start) || !wallClockTime.test(end)) {
    throw new InvalidArgumentError(`"${text}" is not <HH:MM>-<HH:MM> (24-hour local times, e.g. 02:00-04:00).`);
  }
  if (start === end) throw new InvalidArgumentError(`"${text}": the window must end at another time than it starts.`);
  return { start, end };
}

export function parseWindowOption(value: string): MaintenanceWindow {
  const parts = value.trim().split(/\s+/);
  if (parts.length !== 3) {
    throw new InvalidArgumentError(`Expected ${windowOptionFormat}, e.g. "mon-fri 02:00-04:00 Europe/Berlin".`);
  }
  const [days, hours, timezone] = parts as [string, string, string];
  if (!isTimeZone(timezone)) {
    throw new InvalidArgumentError(`"${timezone}" is not an IANA time zone name, e.g. Europe/Berlin or UTC.`);
  }
  return { days: daysOf(days), ...hoursOf(hours), timezone };
}

// Commander calls this once per occurrence, so the option can be repeated.
export function collectWindowOption(value: string, previous: MaintenanceWindow[] | undefined): MaintenanceWindow[] {
  return [...(previous ?? []), parseWindowOption(value)];
}
