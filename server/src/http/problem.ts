/** Errors the API answers with, rendered as application/problem+json by the error handler. */
export interface FieldError {
  field: string;
  message: string;
  row?: number;
  column?: string;
  code?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(title);
    this.name = 'ApiError';
  }
}

export const notFound = (what = 'resource') => new ApiError(404, 'not_found', `${what} not found`);
export const forbidden = (title = 'you do not have the right to do this') => new ApiError(403, 'forbidden', title);
export const unauthorized = (title = 'authentication required') => new ApiError(401, 'unauthorized', title);
export const conflict = (code: string, title: string, extra: Record<string, unknown> = {}) => new ApiError(409, code, title, extra);
export const badRequest = (code: string, title: string, extra: Record<string, unknown> = {}) => new ApiError(400, code, title, extra);
export const validationFailed = (errors: FieldError[], title = 'validation failed') =>
  new ApiError(422, 'validation_failed', title, { errors });
