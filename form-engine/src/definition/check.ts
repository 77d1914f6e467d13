import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ConditionError } from '../condition/errors.ts';
import { prepareCondition } from '../condition/prepare.ts';
import { conditionSchema } from '../condition/schema.ts';
import { FIELD_TYPES, isFieldType, NON_COLUMN_TYPES, OPTION_TYPES, type FieldType } from '../field-types.ts';
import { FormulaSyntaxError } from '../formula/errors.ts';
import { formulaDependencies, parseFormula } from '../formula/parser.ts';
import { buildFormulaPlan } from '../formula/plan.ts';
import { resolveFormulaReference } from '../formula/references.ts';
import { identifierProblem } from '../identifiers.ts';
import { isPlainObject } from '../own.ts';
import { shareSubschemas } from '../share-subschemas.ts';
import { validateRecord } from '../record/validate.ts';
import { parseSerialPattern, SerialPatternError } from '../serial.ts';
import { isDateString, isDateTimeString } from '../time.ts';
import { indexForm, type FormIndex } from './form-index.ts';
import { formDefinitionSchema, type AnyFieldDefinition, type FieldDefinition, type FormDefinition } from './schema.ts';

export type DefinitionErrorCode =
  | 'invalid_definition'
  | 'missing_property'
  | 'unknown_property'
  | 'invalid_property'
  | 'unknown_type'
  | 'duplicate_id'
  | 'invalid_id'
  | 'reserved_id'
  | 'missing_options'
  | 'duplicate_option'
  | 'missing_pattern'
  | 'invalid_pattern'
  | 'missing_columns'
  | 'invalid_column_type'
  | 'missing_form'
  | 'missing_formula'
  | 'formula_syntax'
  | 'unknown_function'
  | 'unknown_reference'
  | 'circular_formula'
  | 'invalid_condition'
  | 'min_gt_max'
  | 'invalid_regex'
  | 'invalid_default';

export interface DefinitionError {
  /** JSON pointer into the definition, e.g. '/fields/3/formula'. */
  path: string;
  /** The top-level field (or subform column) concerned. */
  fieldId?: string;
  code: DefinitionErrorCode;
  message: string;
}

export type CheckResult = { ok: true; form: FormDefinition } | { ok: false; errors: DefinitionError[] };

/** The structural schema ajv checks; conditions are checked by the condition compiler, which names the culprit precisely. */
function structuralSchema(): object {
  const replace = (node: unknown): unknown => {
    if (node === conditionSchema) return { type: 'object' };
    if (Array.isArray(node)) return node.map(replace);
    if (isPlainObject(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, replace(v)]));
    return node;
  };
  const { $schema: _ignored, ...schema } = replace(formDefinitionSchema) as Record<string, unknown>;
  return shareSubschemas(schema);
}

let structural: ValidateFunction | undefined;
function structuralValidator(): ValidateFunction {
  return (structural ??= new Ajv({ allErrors: true, strict: false, inlineRefs: false }).compile(structuralSchema()));
}

const TEXT_PROPERTIES = new Set(['label', 'name', 'help', 'content', 'description']);

interface FieldAt {
  field: AnyFieldDefinition;
  path: string;
  subformId?: string;
}

class Checker {
  readonly errors: DefinitionError[] = [];
  /** JSON pointers with structural problems: semantic checks skip these fields. */
  private readonly broken = new Set<string>();
  /** Fields already reported for their type: their structural errors would only repeat it. */
  private readonly silenced = new Set<string>();

  constructor(private readonly def: Record<string, unknown>) {}

  add(path: string, code: DefinitionErrorCode, message: string, fieldId?: string) {
    this.errors.push(fieldId === undefined ? { path, code, message } : { path, fieldId, code, message });
  }

  private fieldIdAt(path: string): string | undefined {
    const m = /^\/fields\/(\d+)(?:\/fields\/(\d+))?/.exec(path);
    if (!m) return undefined;
    const fields = this.def.fields as unknown[];
    const top = Array.isArray(fields) ? fields[Number(m[1])] : undefined;
    const node = m[2] === undefined ? top : isPlainObject(top) && Array.isArray(top.fields) ? top.fields[Number(m[2])] : undefined;
    return isPlainObject(node) && typeof node.id === 'string' ? node.id : undefined;
  }

  private markBroken(path: string) {
    const m = /^\/(fields\/\d+(?:\/fields\/\d+)?|rules\/\d+)/.exec(path);
    if (m) this.broken.add(`/${m[1]}`);
  }

  isBroken(path: string): boolean {
    return this.broken.has(path) || [...this.broken].some((b) => path.startsWith(`${b}/`));
  }

  /** Types are checked first so the message names the type, and a wrong type's other properties add no noise. */
  types() {
    const visit = (list: unknown, base: string, subformId?: string) => {
      if (!Array.isArray(list)) return;
      list.forEach((node, i) => {
        if (!isPlainObject(node)) return;
        const path = `${base}/${i}`;
        const id = typeof node.id === 'string' ? node.id : undefined;
        if (node.type !== undefined && !isFieldType(node.type)) {
          this.add(`${path}/type`, 'unknown_type', `Unknown field type "${String(node.type)}"${id ? ` (field "${id}")` : ''}; known types: ${FIELD_TYPES.join(', ')}`, id);
          this.broken.add(path);
          this.silenced.add(path);
        } else if (subformId && isFieldType(node.type) && NON_COLUMN_TYPES.has(node.type)) {
          this.add(`${path}/type`, 'invalid_column_type', `Column "${id ?? i}" of "${subformId}": a ${node.type} field cannot be a subform column`, id);
          this.broken.add(path);
          this.silenced.add(path);
        }
        if (node.type === 'subform' && !subformId) visit(node.fields, `${path}/fields`, id ?? String(i));
      });
    };
    visit(this.def.fields, '/fields');
  }

  structure() {
    const validate = structuralValidator();
    if (validate(this.def)) return;
    const errors = validate.errors ?? [];
    const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
    // Branch failures of an anyOf (label: text or { zh-CN, en }) only repeat that the anyOf failed.
    const within = (path: string, base: string) => path === base || path.startsWith(`${base}/`);
    const underAnyOf = (e: ErrorObject) => anyOfs.some((a) => a !== e && e.schemaPath.startsWith(`${a.schemaPath}/`) && within(e.instancePath, a.instancePath));
    const seen = new Set<string>();
    for (const error of errors) {
      if (underAnyOf(error)) continue;
      const path = error.instancePath;
      if ([...this.silenced].some((p) => within(path, p))) continue;
      this.markBroken(path);
      const fieldId = this.fieldIdAt(path);
      const params = error.params as Record<string, unknown>;
      const last = path.split('/').pop() ?? '';
      let code: DefinitionErrorCode = 'invalid_property';
      let message: string;
      let at = path;
      switch (error.keyword) {
        case 'required':
          code = 'missing_property';
          at = `${path}/${String(params.missingProperty)}`;
          message = `"${String(params.missingProperty)}" is required`;
          break;
        case 'additionalProperties':
          code = 'unknown_property';
          at = `${path}/${String(params.additionalProperty)}`;
          message = `Unknown property "${String(params.additionalProperty)}"`;
          break;
        case 'anyOf':
          message = TEXT_PROPERTIES.has(last) || /\/label$/.test(path)
            ? `"${last}" must be non-empty text or an object { "zh-CN", "en" }`
            : last === 'min' || last === 'max'
              ? `"${last}" must be a number or a date`
              : `"${last}" is invalid`;
          break;
        case 'enum':
          message = `"${last}" must be one of: ${((params.allowedValues as unknown[]) ?? []).join(', ')}`;
          break;
        default:
          message = `${last ? `"${last}" ` : 'Definition '}${error.message ?? 'is invalid'}`;
      }
      const key = `${at}|${code}|${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.add(at, code, fieldId ? `Field "${fieldId}": ${message}` : message, fieldId);
    }
  }

  /** Top-level fields and columns that are well-formed enough for semantic checks. */
  fields(): FieldAt[] {
    const out: FieldAt[] = [];
    const fields = Array.isArray(this.def.fields) ? this.def.fields : [];
    fields.forEach((field, i) => {
      const path = `/fields/${i}`;
      if (!isPlainObject(field) || typeof field.id !== 'string' || !isFieldType(field.type)) return;
      out.push({ field: field as FieldDefinition, path });
      if (field.type !== 'subform' || !Array.isArray(field.fields)) return;
      field.fields.forEach((column, j) => {
        if (isPlainObject(column) && typeof column.id === 'string' && isFieldType(column.type)) {
          out.push({ field: column as AnyFieldDefinition, path: `${path}/fields/${j}`, subformId: field.id as string });
        }
      });
    });
    return out;
  }

  ids(all: FieldAt[]) {
    const first = new Map<string, string>();
    for (const { field, path } of all) {
      const problem = identifierProblem(field.id);
      if (problem === 'invalid_id') {
        this.add(`${path}/id`, 'invalid_id', `Field id "${field.id}" must start with a letter or _ and contain only letters, digits and _`, field.id);
      } else if (problem === 'reserved_id') {
        this.add(`${path}/id`, 'reserved_id', `Field id "${field.id}" is reserved`, field.id);
      } else if (field.id.startsWith('$')) {
        this.add(`${path}/id`, 'invalid_id', `Field id "${field.id}" may not start with $`, field.id);
      }
      const previous = first.get(field.id);
      if (previous !== undefined) this.add(`${path}/id`, 'duplicate_id', `Duplicate field id "${field.id}" (also at ${previous})`, field.id);
      else first.set(field.id, path);
    }
  }

  properties({ field, path, subformId }: FieldAt) {
    const type = field.type as FieldType;
    const id = field.id;
    const where = subformId ? `Column "${id}" of "${subformId}"` : `Field "${id}"`;
    if (OPTION_TYPES.has(type)) {
      if (!field.options?.length) this.add(`${path}/options`, 'missing_options', `${where} (${type}) needs at least one option`, id);
      const values = new Set<string>();
      field.options?.forEach((option, i) => {
        if (values.has(option.value)) this.add(`${path}/options/${i}/value`, 'duplicate_option', `${where} has the option value "${option.value}" twice`, id);
        values.add(option.value);
      });
    }
    if (type === 'serial') {
      if (!field.pattern) this.add(`${path}/pattern`, 'missing_pattern', `${where} (serial) needs a pattern such as QT-{YYYYMMDD}-{0000}`, id);
      else {
        try {
          parseSerialPattern(field.pattern);
        } catch (error) {
          if (!(error instanceof SerialPatternError)) throw error;
          this.add(`${path}/pattern`, 'invalid_pattern', `${where}: ${error.message}`, id);
        }
      }
    }
    const columns = 'fields' in field ? field.fields : undefined;
    if (type === 'subform') {
      if (!columns?.length) this.add(`${path}/fields`, 'missing_columns', `${where} (subform) needs at least one column`, id);
    } else if (columns !== undefined) {
      this.add(`${path}/fields`, 'invalid_property', `${where}: only subform fields have columns`, id);
    }
    if (subformId && NON_COLUMN_TYPES.has(type)) {
      this.add(`${path}/type`, 'invalid_column_type', `${where}: a ${type} field cannot be a subform column`, id);
    }
    if ((type === 'relation' || type === 'query') && !field.form) {
      this.add(`${path}/form`, 'missing_form', `${where} (${type}) needs the target form id in "form"`, id);
    }
    if (type === 'formula' && !field.formula?.trim()) this.add(`${path}/formula`, 'missing_formula', `${where} (formula) needs a formula`, id);
    this.bounds(field, path, where);
    if (field.regex !== undefined) {
      try {
        new RegExp(field.regex, 'u');
      } catch {
        this.add(`${path}/regex`, 'invalid_regex', `${where}: "${field.regex}" is not a valid regular expression`, id);
      }
    }
  }

  private bounds(field: AnyFieldDefinition, path: string, where: string) {
    const id = field.id;
    const dateType = field.type === 'date' || field.type === 'datetime';
    for (const side of ['min', 'max'] as const) {
      const value = field[side];
      if (value === undefined) continue;
      const ok = dateType ? isDateString(value) || (field.type === 'datetime' && isDateTimeString(value)) : typeof value === 'number';
      if (!ok) this.add(`${path}/${side}`, 'invalid_property', `${where}: "${side}" must be ${dateType ? 'a date' : 'a number'}`, id);
    }
    const pairs: [unknown, unknown, string][] = [
      [field.min, field.max, 'min'],
      [field.minLength, field.maxLength, 'minLength'],
      [field.minRows, field.maxRows, 'minRows'],
    ];
    for (const [lo, hi, name] of pairs) {
      if (lo === undefined || hi === undefined || typeof lo !== typeof hi) continue;
      const greater = typeof lo === 'string' && typeof hi === 'string' ? Date.parse(lo) > Date.parse(hi) : (lo as number) > (hi as number);
      if (greater) this.add(`${path}/${name}`, 'min_gt_max', `${where}: ${name} (${String(lo)}) is greater than ${name.replace('min', 'max')} (${String(hi)})`, id);
    }
  }

  formulas(index: FormIndex, all: FieldAt[]) {
    const pathOf = (fieldId: string, subformId?: string) => all.find((f) => f.field.id === fieldId && f.subformId === subformId)?.path ?? '';
    for (const problem of buildFormulaPlan(index.form).problems) {
      this.add(`${pathOf(problem.fieldId, problem.subformId)}/formula`, problem.code, problem.message, problem.fieldId);
    }
    for (const { field, path, subformId } of all) {
      field.linkage?.match.forEach((m, i) => {
        const at = `${path}/linkage/match/${i}/value`;
        try {
          for (const name of formulaDependencies(parseFormula(m.value))) {
            const ref = resolveFormulaReference(name, index, subformId);
            if (!ref.ok) this.add(at, 'unknown_reference', `Data linkage of "${field.id}" refers to ${ref.message}`, field.id);
          }
        } catch (error) {
          if (!(error instanceof FormulaSyntaxError)) throw error;
          this.add(at, error.code, `Data linkage of "${field.id}": ${error.message}`, field.id);
        }
      });
    }
  }

  private condition(path: string, what: string, fieldId: string | undefined, run: () => void) {
    try {
      run();
    } catch (error) {
      if (!(error instanceof ConditionError)) throw error;
      const code: DefinitionErrorCode = error.code === 'unknown_field' ? 'unknown_reference' : 'invalid_condition';
      this.add(path, code, `${what}: ${error.message}`, fieldId);
    }
  }

  conditions(index: FormIndex, all: FieldAt[]) {
    const refCheck = (ref: string) => {
      const resolved = resolveFormulaReference(ref, index);
      return resolved.ok ? undefined : `{ ref } ${resolved.message}`;
    };
    for (const { field, path, subformId } of all) {
      const where = subformId ? `column "${field.id}"` : `field "${field.id}"`;
      for (const key of ['visibleWhen', 'requiredWhen'] as const) {
        const cond = field[key];
        if (cond === undefined) continue;
        this.condition(`${path}/${key}`, `${key} of ${where}`, field.id, () => prepareCondition(cond, { index, rowOf: subformId }));
      }
      if (field.filter !== undefined) {
        const cond = field.filter;
        this.condition(`${path}/filter`, `filter of ${where}`, field.id, () => prepareCondition(cond, { fieldsUnknown: true, refCheck }));
      }
    }
    const rules = Array.isArray(this.def.rules) ? this.def.rules : [];
    rules.forEach((rule, i) => {
      const path = `/rules/${i}`;
      if (this.isBroken(path) || !isPlainObject(rule)) return;
      this.condition(`${path}/when`, `Rule ${i + 1}`, undefined, () => prepareCondition(rule.when, { index }));
      for (const key of ['show', 'hide', 'require'] as const) {
        const ids = rule[key];
        if (!Array.isArray(ids)) continue;
        ids.forEach((id, j) => {
          if (typeof id === 'string' && !index.topLevel.has(id)) this.add(`${path}/${key}/${j}`, 'unknown_reference', `Rule ${i + 1} ${key}s unknown field "${id}"`);
        });
      }
    });
  }

  defaults(index: FormIndex, all: FieldAt[]) {
    const top: Record<string, unknown> = {};
    const rows: Record<string, Record<string, unknown>> = {};
    for (const { field, path, subformId } of all) {
      if (field.default === undefined) continue;
      if (field.type === 'formula' || field.type === 'serial' || field.type === 'query' || field.type === 'divider' || field.type === 'description') {
        this.add(`${path}/default`, 'invalid_default', `${field.type} field "${field.id}" takes no default`, field.id);
      } else if (subformId) {
        (rows[subformId] ??= {})[field.id] = field.default;
      } else {
        top[field.id] = field.default;
      }
    }
    const data: Record<string, unknown> = { ...top };
    for (const [subformId, row] of Object.entries(rows)) if (!(subformId in top)) data[subformId] = [row];
    if (Object.keys(data).length === 0) return;
    const { errors } = validateRecord(index.form, data, { mode: 'patch' });
    const pathOf = (fieldId: string, subformId?: string) => all.find((f) => f.field.id === fieldId && f.subformId === subformId)?.path ?? '';
    for (const error of errors) {
      if (error.row !== undefined) {
        if (error.column === undefined || !(error.column in (rows[error.field] ?? {}))) continue;
        this.add(`${pathOf(error.column, error.field)}/default`, 'invalid_default', `Default of column "${error.column}": ${error.message}`, error.column);
      } else if (error.field in top) {
        this.add(`${pathOf(error.field)}/default`, 'invalid_default', `Default of field "${error.field}": ${error.message}`, error.field);
      }
    }
  }
}

/**
 * Checks a form definition: its structure (formDefinitionSchema) and its meaning — known types, unique and safe ids,
 * options, serial patterns, subform columns, ranges, formulas (syntax with position, unknown functions, missing fields,
 * cycles named in order), conditions and rules, and default values. Lists every problem found.
 */
export function checkFormDefinition(def: unknown): CheckResult {
  if (!isPlainObject(def)) return { ok: false, errors: [{ path: '', code: 'invalid_definition', message: 'A form definition must be an object' }] };
  const checker = new Checker(def);
  checker.types();
  checker.structure();
  const all = checker.fields();
  checker.ids(all);
  const usable = all.filter((f) => !checker.isBroken(f.path));
  usable.forEach((f) => checker.properties(f));
  const index = indexForm({ fields: usable.filter((f) => !f.subformId).map((f) => f.field as FieldDefinition), rules: [] });
  checker.formulas(index, usable);
  checker.conditions(index, usable);
  if (checker.errors.length === 0) {
    const form = def as FormDefinition;
    checker.defaults(indexForm(form), all);
  }
  return checker.errors.length ? { ok: false, errors: checker.errors } : { ok: true, form: def as FormDefinition };
}
