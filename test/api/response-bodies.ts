import type { Response } from 'supertest';

export interface ErrorDetailBody {
  field?: string;
  row?: number;
  message: string;
}

export interface ErrorBody {
  error: string;
  details: ErrorDetailBody[];
}

// supertest types every body as `any`; tests read bodies through the shapes they expect.
export function bodyOf<Shape>(response: Response): Shape {
  return response.body as Shape;
}

export function errorBody(response: Response): ErrorBody {
  const body = response.body as Partial<ErrorBody>;
  return { error: String(body.error), details: body.details ?? [] };
}

export function fieldsNamed(response: Response): string[] {
  return errorBody(response).details.map((detail) => detail.field ?? '');
}
