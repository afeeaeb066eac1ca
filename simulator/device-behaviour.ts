import type { RandomSource } from './seeded-random';

// How simulated devices behave: answer latency, failure rate, heartbeat pacing, and how long the
// devices chosen to report progress work, and how soon the devices chosen to brick go away.

export interface LatencyRange {
  minMs: number;
  maxMs: number;
}

export interface DeviceBehaviour {
  latency: LatencyRange;
  // Share of executed commands answered with status "fail".
  failureRate: number;
  // Heartbeats run this many times faster than the configured heartbeat_period.
  heartbeatScale: number;
  // Used until the device's retained configuration says otherwise (the registry's default).
  defaultHeartbeatPeriodSeconds: number;
  // A device that reports progress works this long on a command (kind `command`) before its
  // final answer, instead of the sampled latency: long enough to outlive a short deadline, which
  // is what extend_seconds is for.
  progressWorkMs: number;
  // A bricking device drops its connection this long after its success to a restarting command
  // went out (heartbeats stop at once): the reboot that never comes back.
  brickAfterMs: number;
}

export const defaultBehaviour: DeviceBehaviour = {
  latency: { minMs: 50, maxMs: 500 },
  failureRate: 0,
  heartbeatScale: 1,
  defaultHeartbeatPeriodSeconds: 300,
  progressWorkMs: 10_000,
  brickAfterMs: 500,
};

// "min,max" is a uniform range in milliseconds; a single number is a fixed latency.
export function parseLatency(text: string): LatencyRange {
  const parts = text.split(',').map((part) => Number(part.trim()));
  const minMs = parts[0] ?? Number.NaN;
  const maxMs = parts[1] ?? minMs;
  if (parts.length > 2 || !Number.isFinite(minMs) || !Number.isFinite(maxMs) || minMs < 0 || maxMs < minMs) {
    throw new Error(`invalid latency "${text}": expected "min,max" milliseconds`);
  }
  return { minMs, maxMs };
}

export function sampleLatencyMs(behaviour: DeviceBehaviour, random: RandomSource): number {
  const { minMs, maxMs } = behaviour.latency;
  return minMs + random() * (maxMs - minMs);
}

export function heartbeatIntervalMs(behaviour: DeviceBehaviour, periodSeconds: number): number {
  return Math.max(10, (periodSeconds * 1000) / behaviour.heartbeatScale);
}
