import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';

const windowMs = 15 * 60 * 1000;

function tooManyAttempts(): RequestHandler {
  return (_request, response) => {
    response.status(429).json({ error: 'Too many login attempts, try again later' });
  };
}

function accountOf(request: Request): string {
  const body = (request.body ?? {}) as { email?: unknown; username?: unknown };
  const account = typeof body.email === 'string' ? body.email : typeof body.username === 'string' ? body.username : '';
  return `account:${account.trim().toLowerCase()}`;
}

const limitsPerApp = new WeakMap<object, RequestHandler[]>();

// One set of counters per app, shared by both dialects' login routes, so switching dialect does
// not double an attacker's budget.
export function loginRateLimits(app: object): RequestHandler[] {
  let limits = limitsPerApp.get(app);
  if (!limits) {
    limits = createLoginRateLimits();
    limitsPerApp.set(app, limits);
  }
  return limits;
}

// Per address, every attempt counts (guessing across many accounts); per account, only failures
// count, so a user who logs in often is never locked out by their own successes.
function createLoginRateLimits(): RequestHandler[] {
  return [
    rateLimit({
      windowMs,
      limit: 300,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: (request) => `address:${ipKeyGenerator(request.ip ?? 'unknown')}`,
      handler: tooManyAttempts(),
    }),
    rateLimit({
      windowMs,
      limit: 10,
      skipSuccessfulRequests: true,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: accountOf,
      handler: tooManyAttempts(),
    }),
  ];
}
