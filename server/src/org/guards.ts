import type { Caller } from '../platform/context.ts';
import { isAdmin } from '../platform/context.ts';
import { ApiError, forbidden } from '../http/problem.ts';
import type { FieldError } from '../http/problem.ts';

/** Only owners and admins manage the organization. */
export function assertOrgAdmin(caller: Caller) {
  if (!isAdmin(caller)) throw forbidden('only tenant owners and admins can manage the organization');
}

export const unprocessable = (code: string, title: string, errors: FieldError[] = []) => new ApiError(422, code, title, errors.length ? { errors } : {});
