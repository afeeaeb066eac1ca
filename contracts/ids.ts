// Zero-import: every id the engine uses is derived from the bulk response id, never random.

// Attempt-independent, so a device that receives a command twice acts once; and reversible, so
// whichever worker receives the acknowledgement knows which row it answers.
export function commandExecutionId(bulkResponseId: string, deviceId: string): string {
  return `${bulkResponseId}.${deviceId}`;
}

export interface ExecutionAddress {
  bulkResponseId: string;
  deviceId: string;
}

export function executionAddressOf(executionId: string): ExecutionAddress | undefined {
  const match = /^([0-9a-f]{24})\.([0-9a-f]{24})$/.exec(executionId);
  if (!match?.[1] || !match[2]) return undefined;
  return { bulkResponseId: match[1], deviceId: match[2] };
}
