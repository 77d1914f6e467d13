import { localizedText } from '../apps/routes.ts';
import { ACTION_KINDS, TRIGGER_KINDS } from './model.ts';

const str = (maxLength = 200) => ({ type: 'string', maxLength }) as const;
const formula = { type: 'string', maxLength: 4000, description: 'a formula over the trigger record and earlier results, e.g. qty * price; quote plain text: "open"' } as const;

export const triggerSchema = {
  type: 'object',
  required: ['kind'],
  additionalProperties: false,
  properties: {
    kind: { enum: TRIGGER_KINDS },
    formId: str(64),
    fields: { type: 'array', maxItems: 100, items: str(64), description: 'recordUpdated: fire only when one of these fields changes' },
    outcome: { anyOf: [str(32), { type: 'array', maxItems: 10, items: str(32) }], description: 'workflowFinished: approved, rejected, withdrawn, terminated or failed' },
    nodeId: str(64),
    cron: { type: 'string', maxLength: 100, description: 'schedule: cron in the tenant time zone (5 fields, or 6 with seconds first)' },
    filter: { type: 'object', description: 'schedule over a form: only matching records' },
    dateField: { ...str(64), description: 'schedule: fire for records whose date is offsetDays away' },
    offsetDays: { type: 'integer', minimum: -3650, maximum: 3650, description: '-3 = three days before the date' },
    time: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'date schedule: time of day (default 09:00)' },
    label: localizedText,
  },
} as const;

const mapping = { type: 'object', maxProperties: 500, description: '{ <targetFieldId>: formula | { value } | { from, columns } }' } as const;

export const actionSchema = {
  type: 'object',
  required: ['kind'],
  additionalProperties: false,
  properties: {
    kind: { enum: ACTION_KINDS },
    id: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 64, description: 'name of the result for later actions' },
    name: str(200),
    when: formula,
    forEachRow: { ...str(64), description: 'run once per row of this subform of the trigger record' },
    formId: str(64),
    ledgerId: str(64),
    mapping,
    filter: { type: 'object', description: 'the list filter format; values may be { ref } or { formula } over the trigger record' },
    keys: { type: 'object', maxProperties: 10, additionalProperties: formula },
    sort: str(500),
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
    recordId: formula,
    to: {
      type: 'object',
      additionalProperties: false,
      properties: {
        memberIds: { type: 'array', maxItems: 500, items: str(128) },
        fields: { type: 'array', maxItems: 20, items: formula },
        roleIds: { type: 'array', maxItems: 50, items: str(64) },
      },
    },
    title: formula,
    message: formula,
    chatWebhookUrl: str(2000),
    url: str(2000),
    method: { enum: ['POST', 'PUT', 'PATCH'] },
    headers: { type: 'object', maxProperties: 30, additionalProperties: str(2000) },
    body: mapping,
    secret: str(200),
  },
} as const;

export const createAutomationBody = {
  type: 'object',
  required: ['name', 'trigger', 'actions'],
  additionalProperties: false,
  properties: {
    name: localizedText,
    description: localizedText,
    enabled: { type: 'boolean' },
    trigger: triggerSchema,
    condition: { type: 'object', description: 'evaluated on the trigger record (the list filter format)' },
    actions: { type: 'array', minItems: 1, maxItems: 50, items: actionSchema },
  },
} as const;

export const patchAutomationBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: localizedText,
    description: localizedText,
    enabled: { type: 'boolean' },
    trigger: triggerSchema,
    condition: { anyOf: [{ type: 'object' }, { type: 'null' }] },
    actions: { type: 'array', minItems: 1, maxItems: 50, items: actionSchema },
  },
} as const;
