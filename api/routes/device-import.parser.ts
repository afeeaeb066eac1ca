import { parse } from 'csv-parse/sync';
import { csvImportColumns, maximumImportRows } from '../../contracts/device-import.schema';
import { BadRequestError } from '../errors';
import { assertJsonNesting } from '../middleware/json-nesting';

export interface UploadedContent {
  text: string;
  json: boolean;
}

// Turns an uploaded CSV or JSON file into plain row objects; per-row validation comes later.
export function parseImportRows(content: UploadedContent): unknown[] {
  const rows = content.json ? parseJsonRows(content.text) : parseCsvRows(content.text);
  if (rows.length === 0) throw new BadRequestError('The file has no rows', [{ field: 'file', message: 'no rows' }]);
  if (rows.length > maximumImportRows)
    throw new BadRequestError(`At most ${maximumImportRows} rows per import`, [
      { field: 'file', message: `${rows.length} rows; at most ${maximumImportRows}` },
    ]);
  return rows;
}

function parseJsonRows(text: string): unknown[] {
  // A file is up to 5 MB: bound its nesting before parsing, as the JSON body parser does.
  assertJsonNesting(Buffer.from(text), 'file');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadRequestError('The file is not valid JSON', [{ field: 'file', message: 'not valid JSON' }]);
  }
  if (!Array.isArray(parsed))
    throw new BadRequestError('A JSON import is an array of devices', [
      { field: 'file', message: 'expected an array' },
    ]);
  return parsed;
}

function parseCsvRows(text: string): unknown[] {
  let records: Record<string, string>[];
  try {
    // A row with more or fewer cells than the header is that row's problem (its row error), not the file's.
    records = parse<Record<string, string>>(text, {
      columns: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
      relax_column_count: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : 'unreadable CSV';
    throw new BadRequestError('The file is not valid CSV', [{ field: 'file', message }]);
  }
  const unknownColumns = Object.keys(records[0] ?? {}).filter((column) => !csvImportColumns.includes(column));
  if (unknownColumns.length > 0) {
    throw new BadRequestError(
      'Unknown CSV columns',
      unknownColumns.map((column) => ({
        field: column,
        message: `unknown column; expected ${csvImportColumns.join(', ')}`,
      })),
    );
  }
  return records.map(csvRecordToRow);
}

// Empty cells mean "not given"; lists are separated by `|`, metadata pairs written key=value.
function csvRecordToRow(record: Record<string, string>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(record)) {
    if (cell === '') continue;
    row[column] = csvCell(column, cell);
  }
  return row;
}

function csvCell(column: string, cell: string): unknown {
  const list = () =>
    cell
      .split('|')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  switch (column) {
    case 'tags':
    case 'heartbeat_values':
      return list();
    case 'heartbeat_period':
      return /^-?\d+$/.test(cell) ? Number(cell) : cell;
    case 'active':
      return cell === 'true' ? true : cell === 'false' ? false : cell;
    case 'metadata':
      return metadataCell(list());
    default:
      return cell;
  }
}

function metadataCell(pairs: string[]): unknown {
  if (pairs.some((pair) => !pair.includes('='))) return pairs.join('|');
  return Object.fromEntries(
    pairs.map((pair) => [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim()]),
  );
}
