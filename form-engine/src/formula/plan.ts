import { indexForm, type FormIndex, type FormLike } from '../definition/form-index.ts';
import type { AnyFieldDefinition } from '../definition/schema.ts';
import { perFormCache } from '../form-cache.ts';
import type { FormulaNode } from './ast.ts';
import { FormulaSyntaxError } from './errors.ts';
import { formulaDependencies, parseFormula } from './parser.ts';
import { hasFormula, resolveFormulaReference } from './references.ts';

export interface PlanStep {
  /** 'total' for a top-level field, 'items.amount' for a subform column. */
  key: string;
  fieldId: string;
  subformId?: string;
  field: AnyFieldDefinition;
  ast: FormulaNode;
  /** 'formula' steps are recomputed on every write; 'default' steps only fill a missing value on create. */
  kind: 'formula' | 'default';
  dependsOn: string[];
}

export type PlanProblemCode = 'formula_syntax' | 'unknown_function' | 'unknown_reference' | 'circular_formula';

export interface PlanProblem {
  fieldId: string;
  subformId?: string;
  code: PlanProblemCode;
  message: string;
  position?: number;
}

export interface FormulaPlan {
  /** Steps in dependency order: every step comes after the steps it reads. */
  steps: PlanStep[];
  problems: PlanProblem[];
}

function collectSteps(index: FormIndex, problems: PlanProblem[]): Map<string, PlanStep> {
  const steps = new Map<string, PlanStep>();
  const add = (field: AnyFieldDefinition, subformId?: string) => {
    if (!hasFormula(field)) return;
    const key = subformId ? `${subformId}.${field.id}` : field.id;
    const where = subformId ? `column "${field.id}" of "${subformId}"` : `field "${field.id}"`;
    let ast: FormulaNode;
    try {
      ast = parseFormula(field.formula!);
    } catch (error) {
      if (!(error instanceof FormulaSyntaxError)) throw error;
      problems.push({ fieldId: field.id, subformId, code: error.code, message: `Formula of ${where}: ${error.message}`, position: error.position });
      return;
    }
    const dependsOn = new Set<string>();
    let resolved = true;
    for (const name of formulaDependencies(ast)) {
      const ref = resolveFormulaReference(name, index, subformId);
      if (!ref.ok) {
        resolved = false;
        problems.push({ fieldId: field.id, subformId, code: 'unknown_reference', message: `Formula of ${where} refers to ${ref.message}` });
        continue;
      }
      ref.keys.forEach((k) => dependsOn.add(k));
    }
    if (!resolved) return;
    steps.set(key, { key, fieldId: field.id, subformId, field, ast, kind: field.type === 'formula' ? 'formula' : 'default', dependsOn: [...dependsOn] });
  };
  for (const field of index.topLevel.values()) {
    add(field);
    if (field.type === 'subform') for (const column of index.columns.get(field.id)?.values() ?? []) add(column, field.id);
  }
  return steps;
}

/** Orders steps so each follows what it reads (depth-first, in field order), reporting every cycle by name. */
function orderSteps(steps: Map<string, PlanStep>, problems: PlanProblem[]): PlanStep[] {
  const ordered: PlanStep[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cyclic = new Set<string>();
  const visit = (key: string): void => {
    const step = steps.get(key);
    if (!step) return;
    const seen = state.get(key);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(key)), key];
      const members = new Set(cycle);
      if (![...members].some((m) => cyclic.has(m))) {
        problems.push({ fieldId: step.fieldId, subformId: step.subformId, code: 'circular_formula', message: `Circular formula: ${cycle.join(' → ')}` });
      }
      members.forEach((m) => cyclic.add(m));
      return;
    }
    state.set(key, 'visiting');
    stack.push(key);
    step.dependsOn.forEach(visit);
    stack.pop();
    state.set(key, 'done');
    ordered.push(step);
  };
  for (const key of steps.keys()) visit(key);
  return ordered.filter((s) => !cyclic.has(s.key));
}

export function buildFormulaPlan(form: FormLike): FormulaPlan {
  const problems: PlanProblem[] = [];
  const steps = collectSteps(indexForm(form), problems);
  return { steps: orderSteps(steps, problems), problems };
}

/** The plan of a form, computed once per form version. */
export const formulaPlan = perFormCache((form) => buildFormulaPlan(form));
