// Errors the API raises on purpose; the error middleware turns each into its status and a JSON body.
export interface ErrorDetail {
  field?: string;
  message: string;
  row?: number;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string, details?: ErrorDetail[]) {
    super(400, message, details);
  }
}

export class NotAuthorizedError extends HttpError {
  constructor(message = 'Not authorized') {
    super(401, message);
  }
}

export class ForbiddenError extends HttpError {
  constructor(message = 'Forbidden: your role does not allow this') {
    super(403, message);
  }
}

export class NotFoundError extends HttpError {
  constructor(what: string) {
    super(404, `${what} not found`);
  }
}

// Admission control: the caller may try again after `retryAfterSeconds` (the Retry-After header).
export class TooManyRequestsError extends HttpError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, message);
  }
}

export class ConflictError extends HttpError {
  constructor(message: string) {
    super(409, message);
  }
}
