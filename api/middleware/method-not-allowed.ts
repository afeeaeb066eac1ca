import type { RequestHandler } from 'express';

interface DocumentedPath {
  pattern: RegExp;
  methods: Set<string>;
  allow: string;
}

const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// `/fleets/{fleet_id}/actions` -> /^\/fleets\/[^/]+\/actions$/, with its methods as an Allow value
// (HEAD comes with GET in express).
// Literal paths first (`/devices/import` before `/devices/{id}`), as the routes are matched.
function documentedPaths(document: { paths?: object }): DocumentedPath[] {
  const parameters = (path: string) => path.split('{').length;
  const entries = Object.entries((document.paths ?? {}) as Record<string, Record<string, unknown>>).sort(
    ([left], [right]) => parameters(left) - parameters(right),
  );
  return entries.map(([path, operations]) => {
    const methods = Object.keys(operations).filter((method) => httpMethods.includes(method));
    if (methods.includes('get') && !methods.includes('head')) methods.push('head');
    const source = path
      .split(/\{[^}]+\}/)
      .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]+');
    const upper = methods.map((method) => method.toUpperCase());
    return { pattern: new RegExp(`^${source}$`), methods: new Set(upper), allow: upper.join(', ') };
  });
}

// Runs before authentication and every route: a request for a documented path with a method the
// document does not list for it answers 405 with the methods it has (RFC 9110 §15.5.6), rather
// than a 401 or a 404 that would say the path does not exist. The document is public, so this
// tells an anonymous caller nothing new.
export function methodNotAllowed(document: { paths?: object }): RequestHandler {
  const paths = documentedPaths(document);
  return (request, response, next) => {
    const documented = paths.find(({ pattern }) => pattern.test(request.path));
    if (!documented || documented.methods.has(request.method)) {
      next();
      return;
    }
    response
      .status(405)
      .set('Allow', documented.allow)
      .json({ error: `${request.method} is not allowed on ${request.path}; allowed: ${documented.allow}` });
  };
}
