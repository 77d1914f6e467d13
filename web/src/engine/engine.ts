// The browser runs the same form engine as the server: live formulas, visibility rules and validation all come
// from @qiao/form-engine, so what the preview accepts is exactly what the server stores.
import {
  applyDefaults,
  checkFormDefinition,
  computeFormulas,
  evaluateFormula as engineEvaluate,
  evaluateRules,
  FORMULA_FUNCTIONS as ENGINE_FUNCTIONS,
  linkageRequests,
  parseFormula,
  validateRecord,
  type FormLike,
  type LinkageRequest,
} from '@qiao/form-engine';
import type { FieldError } from '../api/client.ts';
import type { FieldDef, FormDef, FormRule, Localized } from '../api/types.ts';

/** The functions the formula editor offers: the engine's own list, so the editor never offers one it lacks. */
export const FORMULA_FUNCTIONS: readonly string[] = ENGINE_FUNCTIONS;

export type { LinkageRequest };

interface DraftLike {
  name: Localized;
  fields: FieldDef[];
  rules: FormRule[];
  settings: Record<string, unknown>;
}

/**
 * Validation compiles JSON Schemas to functions (ajv). A page whose Content-Security-Policy forbids 'unsafe-eval'
 * cannot do that: after the first refusal the browser stops trying and leaves validation to the server.
 */
let schemaCompilationBlocked = false;

function withCompiledSchemas<T>(run: () => T, fallback: T): T {
  if (schemaCompilationBlocked) return fallback;
  try {
    return run();
  } catch (err) {
    if (err instanceof EvalError || /unsafe-eval|Content Security Policy/i.test(String((err as Error)?.message))) schemaCompilationBlocked = true;
    return fallback;
  }
}

const asForm = (form: FormDef | DraftLike & { id?: string; version?: number }) => form as unknown as FormLike;

function timeContext() {
  return { now: new Date(), timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Shanghai' };
}

/** Problems of the whole draft keyed by field (or column) id, '' for form-level ones, as the server reports them. */
export function definitionProblems(draft: DraftLike, formId: string): Map<string, string[]> {
  const problems = new Map<string, string[]>();
  // Where the check cannot run, saving still gets the server's check.
  const result = withCompiledSchemas(
    () => checkFormDefinition({ id: formId, name: draft.name || '-', fields: draft.fields, rules: draft.rules, settings: draft.settings } as never),
    null,
  );
  if (!result || result.ok) return problems;
  for (const e of result.errors as Array<{ fieldId?: string; path?: string; message: string }>) {
    const key = e.fieldId ?? '';
    problems.set(key, [...(problems.get(key) ?? []), e.message]);
  }
  return problems;
}

/** A parse error of one formula on its own, or null. */
export function formulaSyntaxError(formula: string): string | null {
  try {
    parseFormula(formula);
    return null;
  } catch (err) {
    const e = err as Error & { position?: number };
    return e.position !== undefined ? `${e.message} (@${e.position + 1})` : e.message;
  }
}

/** The first problem with one formula as typed: syntax first, then what the definition check says of that field. */
export function formulaProblem(formula: string, draft: DraftLike, fieldId: string, _subformId?: string): string | null {
  if (!formula.trim()) return null;
  return formulaSyntaxError(formula) ?? definitionProblems(draft, 'draft').get(fieldId)?.[0] ?? null;
}

export interface LiveState {
  data: Record<string, unknown>;
  hidden: Set<string>;
  required: Set<string>;
  /** Subform id → per row, the required column ids. */
  rowRequired: Map<string, Array<Set<string>>>;
  /** Formula keys ('total', 'items.amount') whose evaluation failed, with the Excel-style error. */
  formulaErrors: Map<string, string>;
}

/** Formulas computed and rules applied to what the user typed so far. */
export function computeLive(form: FormDef, data: Record<string, unknown>, userId?: string): LiveState {
  const formulaErrors = new Map<string, string>();
  let computed = data;
  try {
    computed = computeFormulas(asForm(form), data, { ...timeContext(), onFormulaError: (key, error) => formulaErrors.set(key, error.code) });
  } catch {
    // A draft the designer has not finished (a broken formula) leaves the values as typed.
  }
  const hidden = new Set<string>();
  const required = new Set<string>();
  const rowRequired = new Map<string, Array<Set<string>>>();
  try {
    const rules = evaluateRules(asForm(form), computed, { ...timeContext(), userId });
    for (const [id, visible] of Object.entries(rules.visible)) if (!visible) hidden.add(id);
    for (const [id, needed] of Object.entries(rules.required)) if (needed) required.add(id);
    for (const [id, rows] of Object.entries(rules.rows)) rowRequired.set(id, rows.map((r) => new Set(Object.entries(r.required).filter(([, v]) => v).map(([k]) => k))));
  } catch {
    // Same as above: an unfinished rule in the designer must not break the preview.
  }
  return { data: computed, hidden, required, rowRequired, formulaErrors };
}

/** Validation errors of the visible fields, in the server's `{ field, row?, column?, message, code }` shape. */
export function validateLive(form: FormDef, data: Record<string, unknown>, live: LiveState, lang: string, userId?: string): Array<FieldError & { code?: string }> {
  const errors = withCompiledSchemas(() => validateRecord(asForm(form), data, { ...timeContext(), userId, lang }).errors, []);
  return errors.filter((e) => !live.hidden.has(e.field));
}

/** Defaults (fixed, formula and already-resolved linkage values) for a new record. */
export function initialData(form: FormDef, linked?: Record<string, unknown>): Record<string, unknown> {
  try {
    return applyDefaults(asForm(form), {}, { ...timeContext(), linked });
  } catch {
    return {};
  }
}

/** Data-linkage lookups (数据联动) still missing from the record: the form asks the target forms for them. */
export function pendingLinkage(form: FormDef, data: Record<string, unknown>): LinkageRequest[] {
  try {
    return linkageRequests(asForm(form), data, timeContext());
  } catch {
    return [];
  }
}

/** Evaluates a formula against one record's data (batch edit by formula). */
export function evaluateFormula(_form: FormDef, formula: string, data: Record<string, unknown>): unknown {
  return engineEvaluate(formula, data, timeContext());
}
