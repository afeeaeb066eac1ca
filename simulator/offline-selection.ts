import { chooseDeviceShare } from './device-share-selection';

// Which devices stay offline: a seeded share spread through the whole fleet (the label 'offline'
// keeps the same choice as before the other traits existed).
export function chooseOfflineDevices<Device extends { deviceId: string }>(
  devices: readonly Device[],
  share: number,
  seed: number,
): Set<string> {
  return chooseDeviceShare(devices, share, seed, 'offline');
}
