// What one simulator process observed; benchmarks and fault tests compare it with the engine's
// counts, so every command the devices see lands in exactly one of these buckets.
export interface SimulatorStats {
  devices: number;
  devicesOffline: number;
  connected: number;
  connectFailures: number;
  reconnects: number;
  commandsReceived: number;
  commandsActed: number;
  duplicates: number;
  expired: number;
  malformed: number;
  failures: number;
  // Final answers (success or fail); progress reports are counted apart.
  acknowledgementsSent: number;
  // Devices chosen to report progress (--progress-share) and the `in_progress` reports they sent.
  devicesReportingProgress: number;
  progressReportsSent: number;
  // Devices chosen to brick (--brick-share), and those that did: answered success to a restarting
  // command, then went silent for good.
  devicesBrickable: number;
  devicesBricked: number;
  heartbeatsSent: number;
  configurationsReceived: number;
  // Presence messages published: online after each (re)connect, offline before leaving.
  presenceOnlineSent: number;
  presenceOfflineSent: number;
}

export function emptySimulatorStats(): SimulatorStats {
  return {
    devices: 0,
    devicesOffline: 0,
    connected: 0,
    connectFailures: 0,
    reconnects: 0,
    commandsReceived: 0,
    commandsActed: 0,
    duplicates: 0,
    expired: 0,
    malformed: 0,
    failures: 0,
    acknowledgementsSent: 0,
    devicesReportingProgress: 0,
    progressReportsSent: 0,
    devicesBrickable: 0,
    devicesBricked: 0,
    heartbeatsSent: 0,
    configurationsReceived: 0,
    presenceOnlineSent: 0,
    presenceOfflineSent: 0,
  };
}
