import {
  channelsFromDevice,
  channelsToDevice,
  deviceTopic,
  parseDeviceTopic,
  topicRoot,
} from '../contracts/device-topics';

// Who a broker connection is, decided once at CONNECT and consulted on every publish/subscribe.
export type BrokerIdentity = { kind: 'service' } | { kind: 'device'; companyId: string; deviceId: string };

// A device publishes only its own acknowledgements, heartbeats and presence (its will included),
// never retained: a retained message from a device would outlive it and be replayed to whoever
// subscribes next (a retained "online" would say so of a device long gone).
export function mayPublish(identity: BrokerIdentity, topic: string, retain: boolean): boolean {
  if (identity.kind === 'service') return topic.startsWith(`${topicRoot}/`);
  if (retain) return false;
  const parsed = parseDeviceTopic(topic);
  return (
    parsed !== undefined &&
    parsed.companyId === identity.companyId &&
    parsed.deviceId === identity.deviceId &&
    channelsFromDevice.includes(parsed.channel)
  );
}

// A device subscribes to its own command and configuration topics by exact name: no wildcard,
// so it can never match another device's or another company's topic.
export function maySubscribe(identity: BrokerIdentity, topicFilter: string): boolean {
  if (identity.kind === 'service') return topicFilter.startsWith(`${topicRoot}/`);
  return channelsToDevice.some((channel) => deviceTopic(identity, channel) === topicFilter);
}
