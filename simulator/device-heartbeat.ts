import {
  deviceConfigurationSchema,
  type CommandEnvelope,
  type DeviceConfiguration,
  type Heartbeat,
} from '../contracts/device-protocol.schema';
import { heartbeatIntervalMs, type DeviceBehaviour } from './device-behaviour';
import { heartbeatValues } from './heartbeat-values';
import type { RandomSource } from './seeded-random';
import type { SimulatorStats } from './simulator-stats';

// A device's heartbeat: its period and values come from the retained configuration and from
// heartbeat_update commands; the simulator's heartbeat scale speeds it up.

export interface DeviceHeartbeat {
  start(): void;
  stop(): void;
  applyConfiguration(payload: Buffer): void;
  applyHeartbeatUpdate(envelope: CommandEnvelope): void;
}

export interface DeviceHeartbeatOptions {
  behaviour: DeviceBehaviour;
  random: RandomSource;
  stats: SimulatorStats;
  send: (heartbeat: Heartbeat) => void;
}

type HeartbeatSettings = Pick<DeviceConfiguration, 'heartbeat_period' | 'heartbeat_values'>;

function readConfiguration(payload: Buffer): DeviceConfiguration | undefined {
  try {
    const parsed = deviceConfigurationSchema.safeParse(JSON.parse(payload.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function createDeviceHeartbeat({ behaviour, random, stats, send }: DeviceHeartbeatOptions): DeviceHeartbeat {
  let settings: HeartbeatSettings = { heartbeat_period: behaviour.defaultHeartbeatPeriodSeconds, heartbeat_values: [] };
  let timer: NodeJS.Timeout | undefined;
  const interval = () => heartbeatIntervalMs(behaviour, settings.heartbeat_period);
  const schedule = (delayMs: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stats.heartbeatsSent += 1;
      send({ sent_at: new Date().toISOString(), values: heartbeatValues(settings.heartbeat_values, random) });
      schedule(interval());
    }, delayMs);
  };
  return {
    // Spread first heartbeats so a fleet connecting together does not beat in lockstep.
    start: () => schedule(random() * Math.min(5000, interval())),
    stop: () => clearTimeout(timer),
    applyConfiguration: (payload) => {
      stats.configurationsReceived += 1;
      const configuration = readConfiguration(payload);
      if (configuration) settings = configuration;
      else stats.malformed += 1;
    },
    applyHeartbeatUpdate: ({ payload }) => {
      const period = payload.heartbeat_period;
      const values = payload.heartbeat_values;
      if (typeof period === 'number' && period >= 1) settings = { ...settings, heartbeat_period: period };
      if (Array.isArray(values)) settings = { ...settings, heartbeat_values: values.map(String) };
    },
  };
}
