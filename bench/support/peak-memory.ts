import { readFileSync } from 'node:fs';

export interface PeakMemory {
  stop(): { peakMegabytes: number };
}

// Resident set size of a process, sampled: this process through process.memoryUsage(), another
// (the Temporal dev server) through /proc/<pid>/status. Sampling misses spikes shorter than the
// interval; the point is the plateau a fleet of this size holds.
export function samplePeakMemory(pid: number | 'self', intervalMs = 250): PeakMemory {
  let peakBytes = 0;
  const sample = () => {
    peakBytes = Math.max(peakBytes, pid === 'self' ? process.memoryUsage().rss : residentBytesOf(pid));
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { peakMegabytes: Math.round(peakBytes / 1_048_576) };
    },
  };
}

function residentBytesOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
