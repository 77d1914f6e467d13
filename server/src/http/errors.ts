import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DuplicateKeyError } from '../store/port.ts';
import { ApiError, type FieldError } from './problem.ts';

const PROBLEM = 'application/problem+json; charset=utf-8';

export function sendProblem(reply: FastifyReply, status: number, code: string, title: string, extra: Record<string, unknown> = {}) {
  return reply.status(status).type(PROBLEM).send({ type: 'about:blank', status, code, title, ...extra });
}

/** Turn ajv errors from a route schema into the API's field errors (every failing field at once). */
export function fieldErrorsFromAjv(validation: NonNullable<FastifyError['validation']>, context?: string): FieldError[] {
  return validation.map((e) => {
    const segments = e.instancePath.split('/').filter(Boolean);
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required' && typeof params.missingProperty === 'string') segments.push(params.missingProperty);
    if (e.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') segments.push(params.additionalProperty);
    const field = segments.join('.') || context || '';
    return { field, message: e.message ?? 'invalid', code: e.keyword };
  });
}

export function installErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError | ApiError | DuplicateKeyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ApiError) return sendProblem(reply, error.status, error.code, error.title, error.extra);
    if (error instanceof DuplicateKeyError) {
      return sendProblem(reply, 409, 'duplicate', 'a record with this value already exists', { keyValue: error.keyValue });
    }
    const fe = error as FastifyError;
    if (fe.validation) {
      return sendProblem(reply, 422, 'validation_failed', 'validation failed', {
        errors: fieldErrorsFromAjv(fe.validation, fe.validationContext),
      });
    }
    switch (fe.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return sendProblem(reply, 400, 'malformed_json', 'the request body is not valid JSON');
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(reply, 413, 'payload_too_large', 'the request body is too large');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(reply, 415, 'unsupported_media_type', 'unsupported content type');
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendProblem(reply, 400, 'empty_body', 'the JSON body is empty');
    }
    if (fe.statusCode === 429) return sendProblem(reply, 429, 'rate_limited', 'too many requests');
    if (error instanceof SyntaxError || fe.statusCode === 400) {
      return sendProblem(reply, 400, 'bad_request', error.message || 'bad request');
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return sendProblem(reply, fe.statusCode, String(fe.code ?? 'bad_request').toLowerCase(), error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, 500, 'internal', 'internal server error');
  });
}
