import type { StatusReason } from '../contracts/bulk-action.types';
import type { BulkStatus } from '../contracts/statuses';

export interface SettledDevice {
  status: string;
  // Dispatch to answer, for devices that answered.
  answerSeconds?: number | undefined;
}

// What the engine's activities tell the process about (metrics and the log line per bulk response
// transition); the worker wires it to prom-client and pino, tests leave it silent.
export interface EngineObserver {
  bulkResponseStarted(bulkResponseId: string, action: string): void;
  bulkResponseStatusChanged(bulkResponseId: string, status: BulkStatus, previous: string | undefined): void;
  bulkResponseEnded(bulkResponseId: string, action: string, status: BulkStatus, reason: StatusReason | null): void;
  devicesCommanded(count: number): void;
  devicesSettled(action: string, devices: readonly SettledDevice[]): void;
}

export const silentObserver: EngineObserver = {
  bulkResponseStarted: () => undefined,
  bulkResponseStatusChanged: () => undefined,
  bulkResponseEnded: () => undefined,
  devicesCommanded: () => undefined,
  devicesSettled: () => undefined,
};
