// Zero-import: every id the engine uses is derived from the bulk response id, never random.

export function batchWorkflowId(bulkResponseId: string, batchNumber: number): string {
  return `${bulkResponseId}-batch-${batchNumber}`;
}

export function deviceActivityId(deviceId: string): string {
  return `device-${deviceId}`;
}

// Attempt-independent, so a device that receives a command twice can act once.
export function commandExecutionId(bulkResponseId: string, deviceId: string): string {
  return `${bulkResponseId}.${deviceId}`;
}
