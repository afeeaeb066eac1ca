import type { Request, RequestHandler } from 'express';
import { metrics } from '../../config/metrics';

// Labelled by the route template (`/api/v1/platform/fleets/:id`), never the raw URL, so ids and
// query strings cannot multiply the series; requests no route matched share one label.
export function httpMetrics(): RequestHandler {
  return (request, response, next) => {
    const stopTimer = metrics.httpRequestDuration.startTimer();
    const route = recordRouteTemplate(request);
    response.once('finish', () => {
      stopTimer({ method: request.method, route: route.template, status_code: String(response.statusCode) });
    });
    next();
  };
}

// Express sets `request.route` when a route matches, while `baseUrl` still names the routers it
// is mounted under; by the time an error handler answers, `baseUrl` has been unwound to ''. So
// the template is taken at the moment the route is set.
function recordRouteTemplate(request: Request): { template: string } {
  const route = { template: 'unmatched' };
  let current: unknown;
  Object.defineProperty(request, 'route', {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (value: unknown) => {
      current = value;
      if (typeof value === 'object' && value !== null && 'path' in value && typeof value.path === 'string')
        route.template = `${request.baseUrl}${value.path}`;
    },
  });
  return route;
}
