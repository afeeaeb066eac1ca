// Plausible readings for the heartbeat_values a device is configured to report.
const generators: Record<string, (random: () => number) => unknown> = {
  cell_signal: (random) => Math.round(-110 + random() * 60),
  cell_usage: (random) => Math.round(random() * 1_000_000),
  sim_card: () => 'present',
  connections: (random) => Math.round(random() * 20),
  wifi_clients: (random) => Math.round(random() * 30),
  cpu_usage: (random) => Math.round(random() * 100),
  ram_usage: (random) => Math.round(random() * 100),
  disk_size: () => 32_000_000_000,
  disk_free: (random) => Math.round(random() * 32_000_000_000),
  disk_usage: (random) => Math.round(random() * 100),
};

export function heartbeatValues(names: readonly string[], random: () => number): Record<string, unknown> {
  return Object.fromEntries(names.map((name) => [name, (generators[name] ?? (() => null))(random)]));
}
