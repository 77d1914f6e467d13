import type { JsonSchema } from './value-schema.ts';

/**
 * Moves identical property schemas into shared `definitions` referenced by $ref. Compiled with inlineRefs: false,
 * ajv then generates one function per distinct value format instead of one inline block per field, which keeps
 * compiling a 200-field form fast. Validation results and error paths are unchanged.
 */
export function hoistPropertySchemas(schema: JsonSchema): JsonSchema {
  const definitions: Record<string, JsonSchema> = {};
  const names = new Map<string, string>();
  const share = (value: JsonSchema): JsonSchema => {
    const json = JSON.stringify(value);
    let name = names.get(json);
    if (name === undefined) {
      name = `v${names.size}`;
      names.set(json, name);
      definitions[name] = value;
    }
    return { $ref: `#/definitions/${name}` };
  };
  const visitProperties = (node: JsonSchema): JsonSchema => {
    const properties = node.properties as Record<string, JsonSchema> | undefined;
    if (!properties) return node;
    const shared: Record<string, JsonSchema> = {};
    for (const [key, value] of Object.entries(properties)) {
      const items = value.items as JsonSchema | undefined;
      // Subform rows: share their column schemas too.
      shared[key] = items?.properties ? share({ ...value, items: visitProperties(items) }) : share(value);
    }
    return { ...node, properties: shared };
  };
  const top = visitProperties(schema);
  return { ...top, definitions };
}
