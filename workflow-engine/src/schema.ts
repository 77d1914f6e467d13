import type { FromSchema } from 'json-schema-to-ts';

export const NODE_TYPES = ['start', 'end', 'approval', 'fill', 'cc', 'branch', 'parallel', 'join', 'automation', 'subprocess'] as const;
export const ASSIGNEE_KINDS = ['member', 'department', 'role', 'initiator', 'supervisor', 'departmentSupervisor', 'field'] as const;
export const TASK_ALLOWANCES = ['sendBack', 'transfer', 'addSigner'] as const;
export const TIMEOUT_ACTIONS = ['remind', 'approve', 'reject', 'sendBack'] as const;
export const FIELD_PERMISSIONS = ['hidden', 'read', 'edit'] as const;

const nameSchema = { type: 'string' } as const;

const positionSchema = {
  type: 'object',
  required: ['x', 'y'],
  properties: { x: { type: 'number' }, y: { type: 'number' } },
} as const;

const fieldPermissionsSchema = {
  type: 'object',
  additionalProperties: { enum: FIELD_PERMISSIONS },
} as const;

// `level` is deliberately not range-checked here: validate() reports it with its own code.
const assigneeSchema = {
  type: 'object',
  required: ['kind'],
  additionalProperties: false,
  properties: {
    kind: { enum: ASSIGNEE_KINDS },
    ids: { type: 'array', items: { type: 'string' } },
    level: { type: 'number' },
    field: { type: 'string' },
    includeSubDepartments: { type: 'boolean' },
  },
} as const;

const modeSchema = {
  anyOf: [
    { enum: ['or', 'all', 'sequential'] },
    {
      type: 'object',
      required: ['percent'],
      additionalProperties: false,
      properties: { percent: { type: 'number', exclusiveMinimum: 0, maximum: 100 } },
    },
  ],
} as const;

// `after` is an ISO-8601 duration or a date field id; validate() checks which.
const timeoutSchema = {
  type: 'object',
  required: ['after', 'then'],
  additionalProperties: false,
  properties: {
    after: { type: 'string', minLength: 1 },
    then: { enum: TIMEOUT_ACTIONS },
  },
} as const;

const userTaskDataSchema = {
  type: 'object',
  required: ['assignees'],
  properties: {
    name: nameSchema,
    assignees: { type: 'array', items: assigneeSchema },
    mode: modeSchema,
    onEmpty: { enum: ['autoApprove', 'admin', 'fail'] },
    dedupe: { type: 'boolean' },
    fieldPermissions: fieldPermissionsSchema,
    allow: { type: 'array', items: { enum: TASK_ALLOWANCES } },
    requireComment: { type: 'boolean' },
    timeout: timeoutSchema,
  },
} as const;

const namedDataSchema = { type: 'object', properties: { name: nameSchema } } as const;

const startDataSchema = {
  type: 'object',
  properties: { name: nameSchema, fieldPermissions: fieldPermissionsSchema },
} as const;

const ccDataSchema = {
  type: 'object',
  required: ['assignees'],
  properties: {
    name: nameSchema,
    assignees: { type: 'array', items: assigneeSchema },
    fieldPermissions: fieldPermissionsSchema,
  },
} as const;

// The action body is interpreted by the server's automation runner; the engine only routes it.
const automationDataSchema = {
  type: 'object',
  required: ['action'],
  properties: {
    name: nameSchema,
    action: {
      type: 'object',
      required: ['kind'],
      properties: { kind: { enum: ['createRecord', 'updateRecord', 'webhook'] } },
    },
    retry: {
      type: 'object',
      required: ['attempts'],
      additionalProperties: false,
      properties: { attempts: { type: 'integer', minimum: 0, maximum: 10 } },
    },
    onFailure: { enum: ['fail', 'continue'] },
  },
} as const;

const subprocessDataSchema = {
  type: 'object',
  required: ['formId'],
  properties: {
    name: nameSchema,
    formId: { type: 'string', minLength: 1 },
    mapping: { type: 'object', additionalProperties: { type: 'string' } },
    async: { type: 'boolean' },
    initiatorField: { type: 'string' },
  },
} as const;

function nodeSchema<const T extends string, const D>(type: T, data: D) {
  return {
    type: 'object',
    required: ['id', 'type', 'data'],
    properties: {
      id: { type: 'string', minLength: 1 },
      type: { const: type },
      data,
      position: positionSchema,
    },
  } as const;
}

function plainNodeSchema<const T extends string, const D>(type: T, data: D) {
  return {
    type: 'object',
    required: ['id', 'type'],
    properties: {
      id: { type: 'string', minLength: 1 },
      type: { const: type },
      data,
      position: positionSchema,
    },
  } as const;
}

const edgeSchema = {
  type: 'object',
  required: ['id', 'source', 'target'],
  properties: {
    id: { type: 'string', minLength: 1 },
    source: { type: 'string' },
    target: { type: 'string' },
    data: {
      type: 'object',
      properties: {
        // The list filter's condition format; its structure is checked by validate() (it is recursive).
        condition: { type: 'object' },
        default: { type: 'boolean' },
        label: { type: 'string' },
      },
    },
  },
} as const;

export const workflowDefinitionSchema = {
  $id: 'https://qiao.dev/schemas/workflow-definition.json',
  type: 'object',
  required: ['nodes', 'edges'],
  properties: {
    nodes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'type'],
        discriminator: { propertyName: 'type' },
        oneOf: [
          plainNodeSchema('start', startDataSchema),
          plainNodeSchema('end', namedDataSchema),
          nodeSchema('approval', userTaskDataSchema),
          nodeSchema('fill', userTaskDataSchema),
          nodeSchema('cc', ccDataSchema),
          plainNodeSchema('branch', namedDataSchema),
          plainNodeSchema('parallel', namedDataSchema),
          plainNodeSchema('join', namedDataSchema),
          nodeSchema('automation', automationDataSchema),
          nodeSchema('subprocess', subprocessDataSchema),
        ],
      },
    },
    edges: { type: 'array', items: edgeSchema },
    settings: {
      type: 'object',
      properties: {
        withdraw: { enum: ['never', 'untouched', 'beforeNextAction'] },
        sendBackReturn: { enum: ['rerun', 'direct'] },
      },
    },
  },
} as const;

export type WorkflowDefinition = FromSchema<typeof workflowDefinitionSchema>;
export type WorkflowNode = WorkflowDefinition['nodes'][number];
export type WorkflowEdge = WorkflowDefinition['edges'][number];
export type WorkflowSettings = NonNullable<WorkflowDefinition['settings']>;
export type NodeType = (typeof NODE_TYPES)[number];
export type NodeOfType<T extends NodeType> = Extract<WorkflowNode, { type: T }>;
export type UserTaskNode = NodeOfType<'approval' | 'fill'>;
export type UserTaskData = FromSchema<typeof userTaskDataSchema>;
export type CcData = FromSchema<typeof ccDataSchema>;
export type AutomationData = FromSchema<typeof automationDataSchema>;
export type SubprocessData = FromSchema<typeof subprocessDataSchema>;
export type Assignee = FromSchema<typeof assigneeSchema>;
export type AssigneeKind = (typeof ASSIGNEE_KINDS)[number];
export type SignMode = FromSchema<typeof modeSchema>;
export type TimeoutPolicy = FromSchema<typeof timeoutSchema>;
export type TimeoutAction = (typeof TIMEOUT_ACTIONS)[number];
export type TaskAllowance = (typeof TASK_ALLOWANCES)[number];
export type FieldPermission = (typeof FIELD_PERMISSIONS)[number];
export type WithdrawPolicy = NonNullable<WorkflowSettings['withdraw']>;
export type SendBackReturn = NonNullable<WorkflowSettings['sendBackReturn']>;
