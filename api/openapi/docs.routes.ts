import express, { Router } from 'express';
import swaggerUiDist from 'swagger-ui-dist';
import { openApiDocument } from './openapi-document';

const docsPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Fleet bulk actions API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', persistAuthorization: true });</script>
</body></html>`;

// GET /openapi.json and a browsable Swagger UI at /docs, both without authentication.
export function docsRouter(): Router {
  const router = Router();
  router.get('/openapi.json', (_request, response) => {
    response.json(openApiDocument());
  });
  router.get(['/docs', '/docs/'], (_request, response) => {
    response.type('html').send(docsPage);
  });
  router.use('/docs', express.static(swaggerUiDist.getAbsoluteFSPath(), { index: false }));
  return router;
}
