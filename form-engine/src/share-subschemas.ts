type Schema = Record<string, unknown>;

const SCHEMA_MAPS = ['properties', 'definitions', 'patternProperties'];
const SCHEMA_LISTS = ['anyOf', 'allOf', 'oneOf', 'items'];
const SCHEMA_VALUES = ['items', 'not', 'if', 'then', 'else', 'additionalProperties', 'contains'];

function isObject(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Calls `visit` for every subschema position of `schema` (not for maps such as `properties` themselves). */
function forEachSubschema(schema: Schema, visit: (child: Schema) => void) {
  for (const key of SCHEMA_MAPS) if (isObject(schema[key])) Object.values(schema[key] as Schema).forEach((v) => isObject(v) && visit(v));
  for (const key of SCHEMA_LISTS) if (Array.isArray(schema[key])) (schema[key] as unknown[]).forEach((v) => isObject(v) && visit(v));
  for (const key of SCHEMA_VALUES) if (isObject(schema[key])) visit(schema[key] as Schema);
}

/**
 * Rewrites a schema whose subschemas are reused by identity (written once in TypeScript, referenced in many places)
 * into an equivalent one that defines each reused subschema once under `definitions` and points at it with $ref.
 * Ajv then compiles each of them once, which is what keeps the definition and condition validators quick to build.
 */
export function shareSubschemas(schema: Schema): Schema {
  const uses = new Map<Schema, number>();
  const count = (node: Schema) => {
    const seen = uses.get(node) ?? 0;
    uses.set(node, seen + 1);
    if (seen === 0) forEachSubschema(node, count);
  };
  count(schema);
  const names = new Map<Schema, string>();
  const definitions: Schema = {};
  const rewrite = (node: Schema, top = false): Schema => {
    if (!top && (uses.get(node) ?? 0) > 1) {
      let name = names.get(node);
      if (!name) {
        name = `s${names.size}`;
        names.set(node, name);
        definitions[name] = rewrite(node, true);
      }
      return { $ref: `#/definitions/${name}` };
    }
    const out: Schema = { ...node };
    for (const key of SCHEMA_MAPS) {
      if (isObject(node[key])) out[key] = Object.fromEntries(Object.entries(node[key] as Schema).map(([k, v]) => [k, isObject(v) ? rewrite(v) : v]));
    }
    for (const key of SCHEMA_LISTS) if (Array.isArray(node[key])) out[key] = (node[key] as unknown[]).map((v) => (isObject(v) ? rewrite(v) : v));
    for (const key of SCHEMA_VALUES) if (isObject(node[key])) out[key] = rewrite(node[key] as Schema);
    return out;
  };
  const root = rewrite(schema, true);
  return Object.keys(definitions).length ? { ...root, definitions: { ...((root.definitions as Schema) ?? {}), ...definitions } } : root;
}
