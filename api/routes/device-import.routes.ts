import express, { Router, type Request } from 'express';
import multer from 'multer';
import type { Database } from '../../registry/database';
import { callerOf } from '../caller';
import { BadRequestError, HttpError } from '../errors';
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

function uploadError(error: unknown): unknown {
  if (!(error instanceof multer.MulterError)) return error;
  if (error.code === 'LIMIT_FILE_SIZE') return new HttpError(413, 'File too large (at most 5 MB)');
  return new BadRequestError(`Invalid upload: ${error.message}`, [
    { field: error.field ?? 'file', message: error.message },
  ]);
}

function uploadedContent(request: Request): UploadedContent {
  if (request.file) {
    const looksJson =
      request.file.mimetype.includes('json') || request.file.originalname.toLowerCase().endsWith('.json');
    return { text: request.file.buffer.toString('utf8'), json: looksJson };
  }
  if (Array.isArray(request.body)) return { text: JSON.stringify(request.body), json: true };
  if (typeof request.body === 'string') return { text: request.body, json: false };
  throw new BadRequestError('Send a CSV or JSON file in the multipart field "file"', [
    { field: 'file', message: 'required' },
  ]);
}
