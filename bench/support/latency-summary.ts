export interface LatencySummary {
  requests: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

// Nearest-rank percentile of request durations, in milliseconds rounded to 0.1 ms.
function percentile(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return Math.round(sorted[rank - 1]! * 10) / 10;
}

export function summarizeLatencies(durations: readonly number[]): LatencySummary {
  const sorted = [...durations].sort((left, right) => left - right);
  return {
    requests: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: percentile(sorted, 1),
  };
}
