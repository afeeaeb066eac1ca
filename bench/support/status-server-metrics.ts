// What the API process itself measured, read from its /metrics at the end of a run: how long it
// took to answer the two status routes (from its request-duration histogram) and how late its
// event loop ran. Set against the clients' figures, it tells time spent in the API from time
// spent waiting for a CPU or a socket.

export interface RouteServerTimes {
  requests: number;
  // Share of requests the API answered within each bound, in milliseconds.
  within: Record<string, number>;
}

export interface StatusServerMetrics {
  single: RouteServerTimes;
  list: RouteServerTimes;
  eventLoopLagMs: { mean: number | null; p99: number | null; max: number | null };
}

const platform = '/api/v1/platform';
const boundsSeconds = ['0.025', '0.05', '0.1', '0.25'];

function sampleValue(text: string, name: string, labels: string[] = []): number | undefined {
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(name) && labels.every((label) => candidate.includes(label)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

function routeTimes(text: string, route: string): RouteServerTimes {
  const labels = ['method="GET"', `route="${route}"`, 'status_code="200"'];
  const requests = sampleValue(text, 'http_request_duration_seconds_count', labels) ?? 0;
  const within: Record<string, number> = {};
  for (const bound of boundsSeconds) {
    const count = sampleValue(text, 'http_request_duration_seconds_bucket', [...labels, `le="${bound}"`]) ?? 0;
    within[`${Number(bound) * 1000}ms`] = requests === 0 ? 0 : Math.round((count / requests) * 10_000) / 10_000;
  }
  return { requests, within };
}

function milliseconds(seconds: number | undefined): number | null {
  return seconds === undefined || Number.isNaN(seconds) ? null : Math.round(seconds * 10_000) / 10;
}

export async function readStatusServerMetrics(
  baseUrl: string,
  authorization: string,
): Promise<StatusServerMetrics | null> {
  const answer = await fetch(`${baseUrl}/metrics`, { headers: { authorization } }).catch(() => undefined);
  if (!answer?.ok) return null;
  const text = await answer.text();
  return {
    single: routeTimes(text, `${platform}/bulk_responses/:bulkResponseId`),
    list: routeTimes(text, `${platform}/bulk_responses`),
    eventLoopLagMs: {
      mean: milliseconds(sampleValue(text, 'nodejs_eventloop_lag_mean_seconds')),
      p99: milliseconds(sampleValue(text, 'nodejs_eventloop_lag_p99_seconds')),
      max: milliseconds(sampleValue(text, 'nodejs_eventloop_lag_max_seconds')),
    },
  };
}
