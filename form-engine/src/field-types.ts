/** Every field type of the contract, in designer order. */
export const FIELD_TYPES = [
  'text',
  'textarea',
  'number',
  'money',
  'date',
  'datetime',
  'radio',
  'checkbox',
  'select',
  'multiselect',
  'member',
  'members',
  'department',
  'departments',
  'phone',
  'email',
  'address',
  'location',
  'image',
  'attachment',
  'signature',
  'serial',
  'subform',
  'relation',
  'query',
  'formula',
  'divider',
  'description',
] as const;

export type FieldType = (typeof FIELD_TYPES)[number];

const typeSet = new Set<string>(FIELD_TYPES);
export function isFieldType(value: unknown): value is FieldType {
  return typeof value === 'string' && typeSet.has(value);
}

/** Types whose value comes from a list of `options`. */
export const OPTION_TYPES: ReadonlySet<FieldType> = new Set(['radio', 'checkbox', 'select', 'multiselect']);

/** Types computed or allocated by the server: a client never writes them. */
export const COMPUTED_TYPES: ReadonlySet<FieldType> = new Set(['formula', 'serial', 'query', 'divider', 'description']);

/** Types that hold no data at all (layout, or a live list of other records). */
export const NON_STORED_TYPES: ReadonlySet<FieldType> = new Set(['query', 'divider', 'description']);

/** Types not allowed as subform columns (no nesting, no lists inside rows, no layout). */
export const NON_COLUMN_TYPES: ReadonlySet<FieldType> = new Set(['subform', 'query', 'divider', 'description']);

/** Types whose value is an array of scalar ids or option values. */
export const SCALAR_ARRAY_TYPES: ReadonlySet<FieldType> = new Set(['checkbox', 'multiselect', 'members', 'departments']);

export const NUMERIC_TYPES: ReadonlySet<FieldType> = new Set(['number', 'money']);
export const TEXT_LENGTH_TYPES: ReadonlySet<FieldType> = new Set(['text', 'textarea']);
export const FILE_TYPES: ReadonlySet<FieldType> = new Set(['image', 'attachment']);
