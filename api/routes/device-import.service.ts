import { importRowSchema } from '../../contracts/device-import.schema';
import type { Database } from '../../registry/database';
import { unknownDeviceTypeIds } from '../../registry/device-types.repository';
import { upsertDevices, type DeviceUpsertRow } from '../../registry/device-upsert.repository';
import type { ErrorDetail } from '../errors';
import { zodDetails } from '../middleware/error-handler';

export interface ImportReport {
  total: number;
  created: number;
  updated: number;
  failed: number;
  errors: (ErrorDetail & { row: number })[];
}

interface ValidRow {
  row: number;
  device: DeviceUpsertRow;
}

// Validates every row, then upserts the valid ones by unique_id in one transaction. A row that
// fails is reported with its number and never written, not even partly.
export async function importDevices(
  database: Database,
  companyId: string,
  rows: readonly unknown[],
): Promise<ImportReport> {
  const errors: ImportReport['errors'] = [];
  const valid: ValidRow[] = [];
  const firstRowOf = new Map<string, number>();
  rows.forEach((candidate, index) => {
    const row = index + 1;
    const parsed = importRowSchema.safeParse(candidate);
    if (!parsed.success) {
      errors.push(...zodDetails(parsed.error).map((detail) => ({ ...detail, row })));
      return;
    }
    const first = firstRowOf.get(parsed.data.unique_id);
    if (first !== undefined) {
      errors.push({ row, field: 'unique_id', message: `duplicate unique_id, first given at row ${first}` });
      return;
    }
    firstRowOf.set(parsed.data.unique_id, row);
    valid.push({ row, device: parsed.data });
  });
  const importable = await withKnownDeviceTypes(database, companyId, valid, errors);
  const written = await database.transaction((transaction) =>
    upsertDevices(
      transaction,
      companyId,
      importable.map((entry) => entry.device),
    ),
  );
  errors.sort((left, right) => left.row - right.row);
  const failedRows = new Set(errors.map((error) => error.row)).size;
  return { total: rows.length, ...written, failed: failedRows, errors };
}

async function withKnownDeviceTypes(
  database: Database,
  companyId: string,
  rows: ValidRow[],
  errors: ImportReport['errors'],
): Promise<ValidRow[]> {
  const unknown = new Set(
    await unknownDeviceTypeIds(
      database,
      companyId,
      rows.map((entry) => entry.device.device_type_id),
    ),
  );
  return rows.filter((entry) => {
    if (!unknown.has(entry.device.device_type_id)) return true;
    errors.push({
      row: entry.row,
      field: 'device_type_id',
      message: `device type ${entry.device.device_type_id} not found`,
    });
    return false;
  });
}
