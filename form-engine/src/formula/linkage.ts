import { indexForm, type FormLike } from '../definition/form-index.ts';
import type { AnyFieldDefinition } from '../definition/schema.ts';
import { getOwn, isPlainObject } from '../own.ts';
import type { FormulaNode } from './ast.ts';
import { FormulaError, FormulaSyntaxError } from './errors.ts';
import { evaluateNode, lookupIn, makeEnv } from './evaluate.ts';
import { parseFormula } from './parser.ts';
import { isEmptyFormulaValue, type FormulaContext } from './values.ts';

/** A data-linkage lookup the server performs: find the record of `form` whose fields equal `match`, take its `take`. */
export interface LinkageRequest {
  /** Key for DefaultsContext.linked: 'price', or 'items.0.price' for row 0 of a subform. */
  key: string;
  fieldId: string;
  subformId?: string;
  row?: number;
  form: string;
  match: { field: string; value: unknown }[];
  take: string;
}

const parsed = new Map<string, FormulaNode | null>();
function parseCached(source: string): FormulaNode | null {
  let ast = parsed.get(source);
  if (ast === undefined) {
    try {
      ast = parseFormula(source);
    } catch (error) {
      if (!(error instanceof FormulaSyntaxError)) throw error;
      ast = null;
    }
    if (parsed.size > 2000) parsed.clear();
    parsed.set(source, ast);
  }
  return ast;
}

function request(field: AnyFieldDefinition, lookup: (name: string) => unknown, ctx: FormulaContext | undefined, key: string): LinkageRequest | undefined {
  const linkage = field.linkage!;
  const env = makeEnv(ctx, lookup);
  const match: LinkageRequest['match'] = [];
  for (const m of linkage.match) {
    const ast = parseCached(m.value);
    if (!ast) return undefined;
    let value: unknown;
    try {
      value = evaluateNode(ast, env);
    } catch (error) {
      if (error instanceof FormulaError) return undefined;
      throw error;
    }
    // Nothing to match on yet (e.g. no product chosen): no lookup.
    if (isEmptyFormulaValue(value) || Array.isArray(value) || isPlainObject(value)) return undefined;
    match.push({ field: m.field, value });
  }
  return { key, fieldId: field.id, form: linkage.form, match, take: linkage.take };
}

/**
 * The data-linkage defaults still missing from `data`, with their match values computed from the record.
 * The server resolves them against the target forms and passes the results to applyDefaults as `ctx.linked`.
 */
export function linkageRequests(form: FormLike, data: Record<string, unknown>, ctx?: FormulaContext): LinkageRequest[] {
  if (!isPlainObject(data)) return [];
  const index = indexForm(form);
  const out: LinkageRequest[] = [];
  for (const field of index.topLevel.values()) {
    if (field.linkage && getOwn(data, field.id) === undefined) {
      const r = request(field, (name) => lookupIn(data, name), ctx, field.id);
      if (r) out.push(r);
    }
    const columns = index.columns.get(field.id);
    const rows = getOwn(data, field.id);
    if (!columns || !Array.isArray(rows)) continue;
    for (const column of columns.values()) {
      if (!column.linkage) continue;
      rows.forEach((row, i) => {
        if (!isPlainObject(row) || getOwn(row, column.id) !== undefined) return;
        const lookup = (name: string) => (columns.has(name) ? getOwn(row, name) : lookupIn(data, name));
        const r = request(column, lookup, ctx, `${field.id}.${i}.${column.id}`);
        if (r) out.push({ ...r, subformId: field.id, row: i });
      });
    }
  }
  return out;
}
