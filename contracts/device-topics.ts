// Zero-import: the MQTT topic layout shared by the broker's rules, the service and devices.
//
//   fleet/<companyId>/devices/<deviceId>/commands       service -> device, QoS 1
//   fleet/<companyId>/devices/<deviceId>/configuration  service -> device, QoS 1, retained
//   fleet/<companyId>/devices/<deviceId>/acks           device -> service, QoS 1
//   fleet/<companyId>/devices/<deviceId>/heartbeats     device -> service, QoS 0
//   fleet/<companyId>/devices/<deviceId>/presence       device -> service, QoS 1 (and the device's will)

export const topicRoot = 'fleet';

export const deviceChannels = ['commands', 'configuration', 'acks', 'heartbeats', 'presence'] as const;
export type DeviceChannel = (typeof deviceChannels)[number];

// What a device may receive and what it may send; the broker's rules are built from these.
export const channelsToDevice: readonly DeviceChannel[] = ['commands', 'configuration'];
export const channelsFromDevice: readonly DeviceChannel[] = ['acks', 'heartbeats', 'presence'];

export interface DeviceAddress {
  companyId: string;
  deviceId: string;
}

export interface DeviceTopic extends DeviceAddress {
  channel: DeviceChannel;
}

// A segment carrying MQTT separators or wildcards would let one device's topic alias another's.
function assertTopicSegment(value: string, what: string): string {
  if (value.length === 0 || /[/+#]/.test(value) || value.includes('\u0000'))
    throw new Error(`invalid ${what} for a topic: ${value}`);
  return value;
}

export function deviceTopic(address: DeviceAddress, channel: DeviceChannel): string {
  const company = assertTopicSegment(address.companyId, 'company id');
  const device = assertTopicSegment(address.deviceId, 'device id');
  return `${topicRoot}/${company}/devices/${device}/${channel}`;
}

// Every device of every company, for the service's subscriptions.
export function allDevicesTopicFilter(channel: DeviceChannel): string {
  return `${topicRoot}/+/devices/+/${channel}`;
}

// MQTT 5 shared subscription (also honoured by Mosquitto for 3.1.1 clients): each message goes
// to one member of the group, so several service instances split acknowledgements between them.
export function sharedTopicFilter(group: string, filter: string): string {
  return `$share/${assertTopicSegment(group, 'share group')}/${filter}`;
}

export function parseDeviceTopic(topic: string): DeviceTopic | undefined {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== topicRoot || parts[2] !== 'devices') return undefined;
  const [, companyId, , deviceId, channel] = parts as [string, string, string, string, string];
  if (companyId === '' || deviceId === '') return undefined;
  if (!(deviceChannels as readonly string[]).includes(channel)) return undefined;
  return { companyId, deviceId, channel: channel as DeviceChannel };
}
