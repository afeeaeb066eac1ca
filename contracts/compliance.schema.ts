import { z } from 'zod';
import { objectId } from './fleet-action.schema';

// Setting compliance (SPEC §10): which version of a setting a fleet's devices run.

const fleetFilter = objectId
  .optional()
  .meta({ description: 'The fleet whose devices are counted; absent: every device of the company' });

// Strict, like the audit list: a misspelt filter is a 400 naming it.
export const complianceQuerySchema = z.strictObject({ fleet_id: fleetFilter });

export const complianceDevicesQuerySchema = z.strictObject({
  fleet_id: fleetFilter,
  version: z.coerce
    .number()
    .int()
    .min(0)
    .max(2_147_483_647)
    .optional()
    .meta({ description: 'Only devices running this version (0: none of the setting)' }),
  not_latest: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: 'true: only devices not running the latest version' }),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  per_page: z.coerce.number().int().min(1).max(1000).default(100),
  page_meta: z.enum(['true', 'false']).optional(),
});
export type ComplianceDevicesQuery = z.infer<typeof complianceDevicesQuerySchema>;

export const settingComplianceSchema = z
  .object({
    configuration_id: z.string(),
    setting_id: z.string(),
    fleet_id: z.string().nullable(),
    latest_version: z.int().meta({ description: "The setting's newest version (0 if it has none)" }),
    devices: z.int().meta({ description: 'Devices counted: those the configuration applies to' }),
    versions: z
      .array(z.object({ version: z.int(), devices: z.int() }))
      .meta({ description: 'Devices per version run, newest first; version 0: running none of the setting' }),
    not_latest: z.int().meta({ description: 'Counted devices not running latest_version' }),
    not_applicable: z.int().meta({
      description:
        "Devices of the fleet left out: their type is not one of the configuration's device types, or cannot receive configurations (capabilities.actions.send_config)",
    }),
  })
  .meta({
    id: 'SettingCompliance',
    example: {
      configuration_id: '65f1c0ffee0000000000c0f1',
      setting_id: '65f1c0ffee0000000000c0f2',
      fleet_id: '65f1c0ffee0000000000f1ee',
      latest_version: 2,
      devices: 400,
      versions: [
        { version: 2, devices: 120 },
        { version: 1, devices: 30 },
        { version: 0, devices: 250 },
      ],
      not_latest: 280,
      not_applicable: 600,
    },
  });
export type SettingCompliance = z.infer<typeof settingComplianceSchema>;

export const complianceDeviceSchema = z
  .object({
    _id: z.string(),
    unique_id: z.string(),
    name: z.string(),
    device_type_id: z.string(),
    active: z.boolean(),
    heartbeat_status: z.enum(['online', 'idle', 'offline', 'never_reported']),
    version: z.int().meta({ description: 'The setting version the device runs (0: none)' }),
  })
  .meta({ id: 'ComplianceDevice' });
export type ComplianceDevice = z.infer<typeof complianceDeviceSchema>;
