import type { Logger } from 'pino';
import type { EngineObserver } from '../activities/engine-observer';
import { metrics } from '../config/metrics';

// The engine's metrics (SPEC §9) and one log line per bulk response transition, with its id.
export function createEngineObserver(logger: Logger): EngineObserver {
  return {
    bulkResponseStarted(bulkResponseId, action) {
      metrics.bulkResponsesStarted.inc({ action });
      logger.info({ bulkResponseId, action, status: 'processing' }, 'bulk response started');
    },
    bulkResponseStatusChanged(bulkResponseId, status, previous) {
      logger.info({ bulkResponseId, status, previous }, 'bulk response status changed');
    },
    bulkResponseEnded(bulkResponseId, action, status, reason) {
      metrics.bulkResponsesFinished.inc({ action, status });
      logger.info({ bulkResponseId, action, status, statusReason: reason }, 'bulk response ended');
    },
    devicesCommanded(count) {
      metrics.devicesInFlight.inc(count);
    },
    devicesSettled(action, devices) {
      for (const device of devices) {
        metrics.deviceResults.inc({ action, status: device.status });
        if (device.answerSeconds !== undefined) metrics.deviceAnswerSeconds.observe({ action }, device.answerSeconds);
      }
      metrics.devicesInFlight.dec(devices.length);
    },
  };
}
