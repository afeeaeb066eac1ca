import express, { Router, type Request } from 'express';
import multer from 'multer';
import type { Database } from '../../registry/database';
import { callerOf } from '../caller';
import { BadRequestError, HttpError } from '../errors';
import { nulMessage, nulPaths } from '../middleware/reject-nul-characters';
import { requireRole } from '../middleware/require-role';
import { parseImportRows, type UploadedContent } from './device-import.parser';
import { importDevices } from './device-import.service';

const maximumFileBytes = 5 * 1024 * 1024;
const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: maximumFileBytes, files: 1, fields: 10 },
});

// POST /devices/import, in both dialects: a multipart `file` (CSV or JSON), or the same content
// sent directly as application/json or text/csv. 200 when every row was imported, 207 when some
// failed, 400 when none could be.
export function deviceImportRouter(database: Database): Router {
  const router = Router();
  router.post(
    '/devices/import',
    requireRole('admin'),
    (request, response, next) => {
      upload.single('file')(request, response, (error: unknown) => next(uploadError(error)));
    },
    express.text({ type: ['text/csv', 'text/plain'], limit: maximumFileBytes }),
    async (request, response) => {
      const rows = parseImportRows(uploadedContent(request));
      const report = await importDevices(database, callerOf(response).companyId, rows);
      if (report.failed === report.total) {
        response.status(400).json({ error: 'No row could be imported', details: report.errors });
        return;
      }
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
  if (error.code === 'LIMIT_FILE_SIZE') return new HttpError(413, 'File too large (at most 5 MB)');
  return new BadRequestError(`Invalid upload: ${error.message}`, [
    { field: error.field ?? 'file', message: error.message },
  ]);
}

function uploadedContent(request: Request): UploadedContent {
  if (request.file) {
    const looksJson =
      request.file.mimetype.includes('json') || request.file.originalname.toLowerCase().endsWith('.json');
    return withoutNul({ text: request.file.buffer.toString('utf8'), json: looksJson });
  }
  if (Array.isArray(request.body)) return { text: JSON.stringify(request.body), json: true };
  if (typeof request.body === 'string') return withoutNul({ text: request.body, json: false });
  throw new BadRequestError('Send a CSV or JSON file in the multipart field "file"', [
    { field: 'file', message: 'required' },
  ]);
}

// Files and CSV bodies are parsed after the app-wide NUL check, so their cells are checked here.
function withoutNul(content: UploadedContent): UploadedContent {
  if (nulPaths(content.text, 'file').length === 0) return content;
  throw new BadRequestError('Invalid request: file', [{ field: 'file', message: nulMessage }]);
}
