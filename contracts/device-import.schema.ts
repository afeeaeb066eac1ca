import { z } from 'zod';
import { createDeviceSchema } from './device.schema';

// An imported row is a device as created through the API; CSV cells are converted first.
export const importRowSchema = createDeviceSchema;
export const maximumImportRows = 10_000;
export const maximumImportFileBytes = 5 * 1024 * 1024;
export const csvImportColumns = [
  'unique_id',
  'name',
  'device_type_id',
  'tags',
  'heartbeat_period',
  'metadata',
  'heartbeat_values',
  'active',
];

// What the document promises reads as CSV: a header of known columns, then lines without quotes,
// at least one holding something. (The server also takes quoted CSV; a pattern cannot say which
// quoting parses, so the document shows the plain form.) ECMA and Python regexes read it alike.
const columnAlternatives = `(?:${csvImportColumns.join('|')})`;
export const csvImportPattern = String.raw`^${columnAlternatives}(?:,${columnAlternatives})*\r?\n(?:[^"\r\n]*\r?\n)*[^"\r\n]*[!#-~][^"\r\n]*(?:\r?\n[^"\r\n]*)*$`;

export const importReportSchema = z
  .object({
    total: z.int(),
    created: z.int(),
    updated: z.int(),
    failed: z.int(),
    errors: z.array(z.object({ row: z.int(), field: z.string().optional(), message: z.string() })),
  })
  .meta({
    id: 'DeviceImportReport',
    description: 'Rows are numbered from 1: the first CSV line after the header, or the first array element.',
  });
