import { ActivityNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { DeviceAnswer } from '../contracts/bulk-action.types';
import { activityAddressOf } from '../contracts/ids';
import type { ReceivedAcknowledgement } from '../transport/device-transport';

// Turns a device's acknowledgement into the completion of the activity waiting for it, addressed
// by ids derived from the execution id, so any worker can do it with no token table. A late or
// duplicate acknowledgement finds no waiting activity and is ignored.
export function createAcknowledgementCompleter(client: Client, logger: Logger) {
  return async (received: ReceivedAcknowledgement): Promise<void> => {
    const address = activityAddressOf(received.acknowledgement.execution_id);
    if (!address || address.deviceId !== received.deviceId) {
      logger.warn(
        { deviceId: received.deviceId, executionId: received.acknowledgement.execution_id },
        'acknowledgement for another device ignored',
      );
      return;
    }
    const answer: DeviceAnswer = {
      status: received.acknowledgement.status,
      ...(received.acknowledgement.message ? { message: received.acknowledgement.message } : {}),
      ...(received.acknowledgement.result ? { result: received.acknowledgement.result } : {}),
    };
    try {
      await client.activity.complete({ workflowId: address.workflowId, activityId: address.activityId }, answer);
    } catch (error) {
      if (error instanceof ActivityNotFoundError) return;
      throw error;
    }
  };
}
