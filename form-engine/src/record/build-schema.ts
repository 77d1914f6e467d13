import { indexForm, type FormLike } from '../definition/form-index.ts';
import type { AnyFieldDefinition } from '../definition/schema.ts';
import { COMPUTED_TYPES } from '../field-types.ts';
import { valueSchema, type JsonSchema } from './value-schema.ts';

export type RecordSchemaMode = 'create' | 'patch';

export interface RecordSchemaOptions {
  /** 'create' lists required fields; 'patch' (partial updates) does not. Default 'create'. */
  mode?: RecordSchemaMode;
}

/** A field is required by the schema only when nothing can waive it (visibility and requiredWhen rules are applied later). */
function staticallyRequired(field: AnyFieldDefinition): boolean {
  return field.required === true && !field.visibleWhen && !COMPUTED_TYPES.has(field.type);
}

function rowSchema(columns: Iterable<AnyFieldDefinition>): JsonSchema {
  const properties: Record<string, JsonSchema> = { id: { type: 'string', maxLength: 64 } };
  const required: string[] = [];
  for (const column of columns) {
    const schema = valueSchema(column);
    if (!schema) continue;
    properties[column.id] = schema;
    if (staticallyRequired(column)) required.push(column.id);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

/** Fields whose visibility a form rule controls: their `required` is conditional too. */
function ruleTargets(form: FormLike): Set<string> {
  const targets = new Set<string>();
  for (const rule of form.rules ?? []) for (const id of [...(rule.show ?? []), ...(rule.hide ?? [])]) targets.add(id);
  return targets;
}

/**
 * The draft-07 JSON Schema of a record's `data`. Unknown keys are refused; computed fields (formula, serial) are
 * accepted as readOnly because the server recomputes them before validating (clients' copies are removed by stripComputed).
 * Custom keywords: x-precision (max decimals), x-date-min / x-date-max, x-file-ref (a file needs an id or a url);
 * custom formats: date, date-time, email, phone-mobile | phone-landline | phone-any, file-url.
 */
export function buildRecordSchema(form: FormLike, options: RecordSchemaOptions = {}): JsonSchema {
  const mode = options.mode ?? 'create';
  const index = indexForm(form);
  const controlled = ruleTargets(form);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const field of index.topLevel.values()) {
    const schema = valueSchema(field, (subform) => rowSchema(index.columns.get(subform.id)?.values() ?? []));
    if (!schema) continue;
    properties[field.id] = schema;
    if (mode === 'create' && staticallyRequired(field) && !controlled.has(field.id)) required.push(field.id);
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties,
    ...(required.length ? { required } : {}),
    additionalProperties: false,
  };
}
