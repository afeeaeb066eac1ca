import { createServer, type AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process: the API serves it on /metrics, the engine's activities write to it. */
export const metricsRegistry = new Registry();

collectDefaultMetrics({ register: metricsRegistry });

/** Device answers range from sub-second acknowledgements to device deadlines of minutes. */
const answerBucketsSeconds = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const httpBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const metrics: {
  bulkResponsesStarted: Counter<'action'>;
  bulkResponsesFinished: Counter<'action' | 'status'>;
  deviceResults: Counter<'action' | 'status'>;
  devicesInFlight: Gauge;
  deviceAnswerSeconds: Histogram<'action'>;
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
} = {
  bulkResponsesStarted: new Counter({
    name: 'fleet_bulk_responses_started_total',
    help: 'Bulk responses whose execution started, by action',
    labelNames: ['action'] as const,
    registers: [metricsRegistry],
  }),
  bulkResponsesFinished: new Counter({
    name: 'fleet_bulk_responses_finished_total',
    help: 'Bulk responses that reached a final status, by action and status',
    labelNames: ['action', 'status'] as const,
    registers: [metricsRegistry],
  }),
  deviceResults: new Counter({
    name: 'fleet_device_results_total',
    help: 'Per-device final results, by action and status',
    labelNames: ['action', 'status'] as const,
    registers: [metricsRegistry],
  }),
  devicesInFlight: new Gauge({
    name: 'fleet_devices_in_flight',
    help: 'Devices commanded and waiting for an answer in this process',
    registers: [metricsRegistry],
  }),
  deviceAnswerSeconds: new Histogram({
    name: 'fleet_device_answer_seconds',
    help: 'Time from dispatching a command to the device answering it',
    labelNames: ['action'] as const,
    buckets: answerBucketsSeconds,
    registers: [metricsRegistry],
  }),
  httpRequestDuration: new Histogram({
    name: 'http_request_duration_seconds',
    help: 'API request duration, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: httpBucketsSeconds,
    registers: [metricsRegistry],
  }),
};

export interface LoopbackMetricsEndpoint {
  /** For the Temporal runtime's Prometheus exporter (`telemetryOptions.metrics.prometheus`). */
  bindAddress: string;
  /** Where the API's /metrics reads it from. */
  url: string;
}

// The Temporal SDK's worker metrics come from its native Core, which exports them only through
// its own Prometheus listener; a free loopback port keeps that listener private to the process.
export function loopbackMetricsEndpoint(): Promise<LoopbackMetricsEndpoint> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve({ bindAddress: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}/metrics` }));
    });
  });
}
