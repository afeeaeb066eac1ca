import { connectAsync, type MqttClient } from 'mqtt';
import { allDevicesTopicFilter, parseDeviceTopic } from '../contracts/device-topics';
import { executionAddressOf } from '../contracts/ids';

// A service client that listens to every device's acknowledgements, to count what the devices
// did independently of the engine. A device answers each execution it acts on once, and repeats
// that same answer (same acknowledged_at) to every re-send, so distinct answers are acts.

export interface DeviceActs {
  // Devices that answered at least one execution of the bulk response.
  devicesActed: number;
  // Distinct answers seen: one per act.
  acts: number;
  // Devices with more than one act: two executions, or two different answers to one.
  actedTwice: number;
}

export interface AckTap {
  acts(bulkResponseId: string): DeviceActs;
  // Devices whose answer for the bulk response was seen.
  devicesActed(bulkResponseId: string): Set<string>;
  close(): Promise<void>;
}

interface Answer {
  execution_id?: unknown;
  acknowledged_at?: unknown;
}

export async function startAckTap(url: string, service: { username: string; password: string }): Promise<AckTap> {
  // bulk response id -> device id -> distinct "execution id|acknowledged at"
  const seen = new Map<string, Map<string, Set<string>>>();
  const client: MqttClient = await connectAsync(url, {
    ...service,
    clientId: `fault-ack-tap-${process.pid}`,
    protocolVersion: 4,
    clean: false,
    reconnectPeriod: 500,
  });
  client.on('message', (topic, payload) => {
    const address = parseDeviceTopic(topic);
    if (!address) return;
    let answer: Answer;
    try {
      answer = JSON.parse(payload.toString()) as Answer;
    } catch {
      return;
    }
    if (typeof answer.execution_id !== 'string') return;
    const bulkResponseId = executionAddressOf(answer.execution_id)?.bulkResponseId;
    if (!bulkResponseId) return;
    const devices = seen.get(bulkResponseId) ?? new Map<string, Set<string>>();
    seen.set(bulkResponseId, devices);
    const answers = devices.get(address.deviceId) ?? new Set<string>();
    devices.set(address.deviceId, answers);
    answers.add(`${answer.execution_id}|${String(answer.acknowledged_at)}`);
  });
  await client.subscribeAsync(allDevicesTopicFilter('acks'), { qos: 1 });
  return {
    acts: (bulkResponseId) => {
      const devices = [...(seen.get(bulkResponseId)?.values() ?? [])];
      return {
        devicesActed: devices.length,
        acts: devices.reduce((sum, answers) => sum + answers.size, 0),
        actedTwice: devices.filter((answers) => answers.size > 1).length,
      };
    },
    devicesActed: (bulkResponseId) => new Set(seen.get(bulkResponseId)?.keys() ?? []),
    close: () => client.endAsync(),
  };
}
