// Zero-import: every id the engine uses is derived from the bulk response id, never random.

export function batchWorkflowId(bulkResponseId: string, batchNumber: number): string {
  return `${bulkResponseId}-batch-${batchNumber}`;
}

export function deviceActivityId(deviceId: string): string {
  return `device-${deviceId}`;
}

// Attempt-independent, so a device that receives a command twice can act once; and reversible,
// so whichever worker receives the acknowledgement can complete the waiting activity by its id.
export function commandExecutionId(batchWorkflowIdValue: string, deviceId: string): string {
  return `${batchWorkflowIdValue}.${deviceId}`;
}

export interface ActivityAddress {
  workflowId: string;
  activityId: string;
  deviceId: string;
}

export function activityAddressOf(executionId: string): ActivityAddress | undefined {
  const match = /^([0-9a-f]{24}-batch-\d+)\.([0-9a-f]{24})$/.exec(executionId);
  if (!match?.[1] || !match[2]) return undefined;
  return { workflowId: match[1], activityId: deviceActivityId(match[2]), deviceId: match[2] };
}
