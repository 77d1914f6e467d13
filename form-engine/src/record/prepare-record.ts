import type { FormLike } from '../definition/form-index.ts';
import { applyDefaults, computeFormulas, type DefaultsContext } from '../formula/compute.ts';
import { normalizeRecord, stripComputed } from './strip.ts';

export interface PrepareRecordContext extends DefaultsContext {
  /** 'create' also applies defaults; 'patch' only cleans and recomputes. Default 'create'. */
  mode?: 'create' | 'patch';
}

/**
 * The write pipeline before validation, in one call: stripComputed → normalizeRecord → applyDefaults (create only)
 * → computeFormulas. For a patch, pass the merged record so formulas see every field.
 */
export function prepareRecord(form: FormLike, data: Record<string, unknown>, ctx: PrepareRecordContext = {}): Record<string, unknown> {
  let out = normalizeRecord(form, stripComputed(form, data));
  if ((ctx.mode ?? 'create') === 'create') out = applyDefaults(form, out, ctx);
  return computeFormulas(form, out, ctx);
}
