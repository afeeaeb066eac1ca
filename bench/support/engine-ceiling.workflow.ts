import { condition, proxyActivities } from '@temporalio/workflow';

// The engine ceiling's workflow: one page of no-op device activities dispatched inside a window,
// as a rollout batch dispatches its devices, each activity completed asynchronously by id.
export interface CeilingPage {
  firstDevice: number;
  devices: number;
  maxInFlight: number;
  deadlineSeconds: number;
}

export interface NoopDeviceActivities {
  noopDeviceCommand(device: number): Promise<string>;
}

export async function engineCeilingPageWorkflow(page: CeilingPage): Promise<number> {
  let inFlight = 0;
  let answered = 0;
  for (let index = 0; index < page.devices; index += 1) {
    await condition(() => inFlight < page.maxInFlight);
    const device = page.firstDevice + index;
    // Like the product's device activity: an id derived from the device, completed by that id.
    const { noopDeviceCommand } = proxyActivities<NoopDeviceActivities>({
      activityId: `device-${device}`,
      startToCloseTimeout: page.deadlineSeconds * 1000,
      retry: { maximumAttempts: 1 },
    });
    inFlight += 1;
    const settle = () => {
      inFlight -= 1;
      answered += 1;
    };
    void noopDeviceCommand(device).then(settle, settle);
  }
  await condition(() => inFlight === 0);
  return answered;
}
