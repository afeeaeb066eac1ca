import { derivedRandom, sampleIndexes } from './seeded-random';

// Which devices stay offline: a seeded random sample spread through the whole fleet. Taking the
// first devices instead would put every offline device into a canary (also the first devices in
// id order) and fail it, which is not what a realistic fleet looks like.
export function chooseOfflineDevices<Device extends { deviceId: string }>(
  devices: readonly Device[],
  share: number,
  seed: number,
): Set<string> {
  const count = Math.round(share * devices.length);
  const chosen = sampleIndexes(devices.length, count, derivedRandom(seed, 'offline'));
  return new Set([...chosen].map((index) => devices[index]!.deviceId));
}
