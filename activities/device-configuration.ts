import type { DeviceConfigurationRow } from '../registry/registry-actions.repository';
import type { DeviceTransport } from '../transport/device-transport';

// The retained per-device configuration, republished whenever the registry changes it, so a
// device learns its current heartbeat and settings on every (re)connect.
export async function publishConfigurations(
  transport: DeviceTransport,
  companyId: string,
  devices: readonly DeviceConfigurationRow[],
): Promise<void> {
  const updatedAt = new Date().toISOString();
  await Promise.all(
    devices.map((device) =>
      transport.publishDeviceConfiguration(
        { companyId, deviceId: device.id },
        {
          heartbeat_period: device.heartbeat_period,
          heartbeat_values: device.heartbeat_values,
          applied_settings: device.applied_settings,
          updated_at: updatedAt,
        },
      ),
    ),
  );
}
