import { derivedRandom, sampleIndexes } from './seeded-random';

// Which devices get a trait (stay offline, report progress, brick on reboot): a seeded random
// sample spread through the whole fleet. Taking the first devices instead would put every such
// device into a canary (also the first devices in id order), which is not what a realistic fleet
// looks like. Each trait has its own label, so its choice does not move when another share changes.
export function chooseDeviceShare<Device extends { deviceId: string }>(
  devices: readonly Device[],
  share: number,
  seed: number,
  label: string,
): Set<string> {
  const count = Math.round(share * devices.length);
  const chosen = sampleIndexes(devices.length, count, derivedRandom(seed, label));
  return new Set([...chosen].map((index) => devices[index]!.deviceId));
}
