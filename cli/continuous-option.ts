import { InvalidArgumentError } from 'commander';

// `--continuous-until` and `--check-interval`: checked here so a typo is a usage error naming the
// flag rather than a rollout that ends at an unintended time; the server still checks the rest
// (a time in the future, an interval of 10 s to a day).

// A zone is required: "until 02:00" means nothing without one, and the server insists too.
const isoTimeWithZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

export function parseUntilOption(value: string): string {
  const instant = Date.parse(value);
  if (!isoTimeWithZone.test(value) || Number.isNaN(instant)) {
    throw new InvalidArgumentError(
      'Expected an ISO time with a zone, e.g. 2030-01-31T00:00:00Z or 2030-01-31T08:00+01:00.',
    );
  }
  return new Date(instant).toISOString();
}

export function parseSecondsOption(value: string): number {
  const seconds = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(seconds) || seconds < 1) {
    throw new InvalidArgumentError('Expected a whole number of seconds, e.g. 60.');
  }
  return seconds;
}
