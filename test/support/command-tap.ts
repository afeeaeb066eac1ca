import { connectAsync, type MqttClient } from 'mqtt';
import { allDevicesTopicFilter, parseDeviceTopic } from '../../contracts/device-topics';
import { executionAddressOf } from '../../contracts/ids';

interface SeenCommand {
  name: string;
  payload: Record<string, unknown>;
}

export interface CommandTap {
  // The commands of one bulk response each device received (the last copy of each).
  commandsOf(bulkResponseId: string): Map<string, SeenCommand>;
  close(): Promise<void>;
}

// A service client that sees every command the engine publishes to devices, so a test can say
// what each device was sent, independently of the engine's own records.
export async function startCommandTap(url: string, service: { username: string; password: string }) {
  const seen = new Map<string, Map<string, SeenCommand>>();
  const client: MqttClient = await connectAsync(url, {
    ...service,
    clientId: `command-tap-${process.pid}-${Date.now()}`,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
  });
  client.on('message', (topic, message) => {
    const address = parseDeviceTopic(topic);
    let envelope: { execution_id?: string; name?: string; payload?: Record<string, unknown> };
    try {
      envelope = JSON.parse(message.toString()) as typeof envelope;
    } catch {
      return;
    }
    const execution = executionAddressOf(envelope.execution_id ?? '');
    if (!address || !execution) return;
    const devices = seen.get(execution.bulkResponseId) ?? new Map<string, SeenCommand>();
    seen.set(execution.bulkResponseId, devices);
    devices.set(address.deviceId, { name: envelope.name ?? '', payload: envelope.payload ?? {} });
  });
  await client.subscribeAsync(allDevicesTopicFilter('commands'), { qos: 1 });
  const tap: CommandTap = {
    commandsOf: (bulkResponseId) => seen.get(bulkResponseId) ?? new Map(),
    close: async () => {
      await client.endAsync();
    },
  };
  return tap;
}
