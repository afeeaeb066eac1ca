import express, { Router, type Request } from 'express';
import multer from 'multer';
import type { Database } from '../../registry/database';
import { callerOf } from '../caller';
import { BadRequestError, HttpError } from '../errors';
import { nulMessage, nulPaths } from '../middleware/reject-nul-characters';
import { requireRole } from '../middleware/require-role';
import { maximumImportFileBytes } from '../../contracts/device-import.schema';
import { parseImportRows, type UploadedContent } from './device-import.parser';
import { importDevices } from './device-import.service';

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: maximumImportFileBytes, fieldSize: maximumImportFileBytes, files: 1, fields: 10 },
});

// POST /devices/import, in both dialects: a multipart `file` (CSV or JSON; a file part, or a plain
// text field), or the same content sent directly as application/json or text/csv. 200 when every
// row was imported, 207 with the row errors when any failed (all of them included: each row has its
// own status); 400 only when the file itself cannot be read (not CSV or JSON, unknown columns, no rows).
export function deviceImportRouter(database: Database): Router {
  const router = Router();
  router.post(
    '/devices/import',
    requireRole('admin'),
    (request, response, next) => {
      upload.single('file')(request, response, (error: unknown) => next(uploadError(error)));
    },
    express.text({ type: ['text/csv', 'text/plain'], limit: maximumImportFileBytes }),
    async (request, response) => {
      const rows = parseImportRows(uploadedContent(request));
      const report = await importDevices(database, callerOf(response).companyId, rows);
      response.status(report.failed > 0 ? 207 : 200).json(report);
    },
  );
  return router;
}

// Everything multer or busboy reports is about the request (no boundary, a malformed part header, a
// truncated body): memory storage cannot fail on the server's side.
function uploadError(error: unknown): unknown {
  if (error === undefined || error === null || error instanceof HttpError) return error;
  if (!(error instanceof multer.MulterError)) {
    const message = error instanceof Error ? error.message : 'unreadable multipart body';
    return new BadRequestError(`Invalid upload: ${message}`, [{ field: 'file', message }]);
  }
  if (error.code === 'LIMIT_FILE_SIZE' || error.code === 'LIMIT_FIELD_VALUE')
    return new HttpError(413, 'File too large (at most 5 MB)');
  return new BadRequestError(`Invalid upload: ${error.message}`, [
    { field: error.field ?? 'file', message: error.message },
  ]);
}

function uploadedContent(request: Request): UploadedContent {
  if (request.is('multipart/form-data')) refuseUnknownParts(request.body);
  if (request.file) {
    const looksJson =
      request.file.mimetype.includes('json') || request.file.originalname.toLowerCase().endsWith('.json');
    return withoutNul({ text: request.file.buffer.toString('utf8'), json: looksJson });
  }
  const field: unknown = (request.body as { file?: unknown } | undefined)?.file;
  if (typeof field === 'string') return withoutNul({ text: field, json: field.trimStart().startsWith('[') });
  if (Array.isArray(request.body)) return { text: JSON.stringify(request.body), json: true };
  if (typeof request.body === 'string') return withoutNul({ text: request.body, json: false });
  throw new BadRequestError('Send a CSV or JSON file in the multipart field "file"', [
    { field: 'file', message: 'required' },
  ]);
}

// A form holds the `file` part only, as the document says (additionalProperties: false): a
// misspelt part is a 400 naming it, not an import that silently ignored it.
function refuseUnknownParts(fields: unknown): void {
  const unknown = Object.keys((fields ?? {}) as Record<string, unknown>).filter((name) => name !== 'file');
  if (unknown.length === 0) return;
  throw new BadRequestError(
    'Invalid upload: only the part "file" is read',
    unknown.map((name) => ({ field: name, message: 'unknown part' })),
  );
}

// Files and CSV bodies are parsed after the app-wide NUL check, so their cells are checked here.
function withoutNul(content: UploadedContent): UploadedContent {
  if (nulPaths(content.text, 'file').length === 0) return content;
  throw new BadRequestError('Invalid request: file', [{ field: 'file', message: nulMessage }]);
}
