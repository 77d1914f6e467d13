import { CopyOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Checkbox, Divider, Form, Input, InputNumber, Radio, Select, Space, Switch, Typography } from 'antd';
import { memo, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAllForms, useForm } from '../api/queries.ts';
import type { FieldDef } from '../api/types.ts';
import { useLocalize } from '../lib/localize.ts';
import { AssigneeEditor } from './AssigneeEditor.tsx';
import { FieldPermissionGrid } from './FieldPermissionGrid.tsx';
import {
  HAS_ASSIGNEES, HAS_FIELD_PERMISSIONS, TASK_ALLOWANCES, TIMEOUT_ACTIONS, USER_TASK_TYPES,
  type NodeData, type NodeType, type SignMode, type TaskAllowance, type TimeoutAction,
} from './model.ts';

const MEMBER_FIELDS = new Set(['member', 'members']);
const DATE_FIELDS = new Set(['date', 'datetime']);

type Unit = 'minutes' | 'hours' | 'days';
const UNIT_PATTERN: Record<Unit, RegExp> = { minutes: /^PT(\d+)M$/, hours: /^PT(\d+)H$/, days: /^P(\d+)D$/ };
const toDuration = (n: number, unit: Unit) => (unit === 'days' ? `P${n}D` : unit === 'hours' ? `PT${n}H` : `PT${n}M`);

function parseAfter(after: string): { unit: Unit; amount: number } | null {
  for (const unit of Object.keys(UNIT_PATTERN) as Unit[]) {
    const m = UNIT_PATTERN[unit].exec(after);
    if (m) return { unit, amount: Number(m[1]) };
  }
  return null;
}

function TimeoutEditor({ value, fields, onChange }: { value: NodeData['timeout']; fields: FieldDef[]; onChange: (next: NodeData['timeout']) => void }) {
  const { t } = useTranslation();
  const l = useLocalize();
  const dateFields = fields.filter((f) => DATE_FIELDS.has(f.type));
  const parsed = value ? parseAfter(value.after) : null;
  const byField = Boolean(value && !parsed && dateFields.some((f) => f.id === value.after));
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Switch
        checked={Boolean(value)}
        aria-label={t('workflow.timeout')}
        onChange={(on) => onChange(on ? { after: 'PT24H', then: 'remind' } : undefined)}
      />
      {value && (
        <>
          <Radio.Group
            size="small"
            value={byField ? 'field' : 'duration'}
            onChange={(e) => onChange({ ...value, after: e.target.value === 'field' ? (dateFields[0]?.id ?? '') : 'PT24H' })}
            options={[
              { value: 'duration', label: t('workflow.timeoutAfter') },
              { value: 'field', label: t('workflow.timeoutByField'), disabled: dateFields.length === 0 },
            ]}
          />
          {byField ? (
            <Select aria-label={t('workflow.timeoutByField')} style={{ width: '100%' }} value={value.after} options={dateFields.map((f) => ({ value: f.id, label: l(f.label) || f.id }))} onChange={(after: string) => onChange({ ...value, after })} />
          ) : parsed || !value.after ? (
            <Space.Compact>
              <InputNumber aria-label={t('workflow.timeoutAfter')} min={1} precision={0} value={parsed?.amount ?? 24} onChange={(n) => onChange({ ...value, after: toDuration(n ?? 1, parsed?.unit ?? 'hours') })} />
              <Select
                aria-label={t('workflow.timeoutUnitLabel')}
                style={{ width: 90 }}
                value={parsed?.unit ?? 'hours'}
                options={(['minutes', 'hours', 'days'] as Unit[]).map((u) => ({ value: u, label: t(`workflow.timeoutUnit.${u}`) }))}
                onChange={(unit: Unit) => onChange({ ...value, after: toDuration(parsed?.amount ?? 24, unit) })}
              />
            </Space.Compact>
          ) : (
            <Input aria-label={t('workflow.timeoutAfter')} value={value.after} onChange={(e) => onChange({ ...value, after: e.target.value })} />
          )}
          <Select
            aria-label={t('workflow.timeoutThen')}
            style={{ width: '100%' }}
            value={value.then}
            options={TIMEOUT_ACTIONS.map((a) => ({ value: a, label: t(`workflow.timeoutActions.${a}`) }))}
            onChange={(then: TimeoutAction) => onChange({ ...value, then })}
          />
        </>
      )}
    </Space>
  );
}

/** A JSON object typed as text; applied when it parses, so a half-typed brace never reaches the definition. */
function JsonObjectInput({ value, onChange, label }: { value: unknown; onChange: (next: Record<string, unknown>) => void; label: string }) {
  const { t } = useTranslation();
  const [text, setText] = useState(() => JSON.stringify(value ?? {}, null, 2));
  const [error, setError] = useState(false);
  // Outside changes (undo, another node) replace the text; the echo of what was just typed does not.
  useEffect(() => {
    setText((current) => {
      try {
        if (JSON.stringify(JSON.parse(current)) === JSON.stringify(value ?? {})) return current;
      } catch {
        /* unparsable text is replaced */
      }
      return JSON.stringify(value ?? {}, null, 2);
    });
  }, [value]);
  return (
    <Form.Item label={label} validateStatus={error ? 'error' : undefined} help={error ? t('workflow.jsonInvalid') : undefined} style={{ marginBottom: 8 }}>
      <Input.TextArea
        aria-label={label}
        rows={4}
        value={text}
        style={{ fontFamily: 'monospace', fontSize: 12 }}
        onChange={(e) => {
          setText(e.target.value);
          try {
            const parsed = JSON.parse(e.target.value) as unknown;
            if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
            setError(false);
            onChange(parsed as Record<string, unknown>);
          } catch {
            setError(true);
          }
        }}
      />
    </Form.Item>
  );
}

function AutomationEditor({ data, onChange }: { data: NodeData; onChange: (patch: Partial<NodeData>, key?: string) => void }) {
  const { t } = useTranslation();
  const l = useLocalize();
  const { forms } = useAllForms();
  const action = data.action ?? { kind: 'updateRecord' };
  const setAction = (patch: Record<string, unknown>, key?: string) => onChange({ action: { ...action, ...patch } as NodeData['action'] }, key);
  return (
    <>
      <Form.Item label={t('workflow.automationKind')}>
        <Select
          aria-label={t('workflow.automationKind')}
          value={action.kind}
          options={['updateRecord', 'createRecord', 'webhook'].map((k) => ({ value: k, label: t(`workflow.automationKinds.${k}`) }))}
          onChange={(kind: string) => onChange({ action: kind === 'webhook' ? { kind, url: '', method: 'POST' } : { kind, mapping: {} } })}
        />
      </Form.Item>
      {action.kind === 'createRecord' && (
        <Form.Item label={t('workflow.targetForm')}>
          <Select aria-label={t('workflow.targetForm')} showSearch={{ optionFilterProp: 'label' }} value={action.formId as string | undefined} options={forms.map((f) => ({ value: f.id, label: l(f.name) }))} onChange={(formId: string) => setAction({ formId })} />
        </Form.Item>
      )}
      {action.kind === 'webhook' ? (
        <>
          <Form.Item label={t('workflow.webhookUrl')}>
            <Input aria-label={t('workflow.webhookUrl')} value={(action.url as string | undefined) ?? ''} onChange={(e) => setAction({ url: e.target.value }, 'url')} placeholder="https://" />
          </Form.Item>
          <Form.Item label={t('workflow.webhookMethod')}>
            <Select aria-label={t('workflow.webhookMethod')} value={(action.method as string | undefined) ?? 'POST'} options={['POST', 'PUT', 'PATCH'].map((m) => ({ value: m, label: m }))} onChange={(method: string) => setAction({ method })} />
          </Form.Item>
        </>
      ) : (
        <JsonObjectInput label={t('workflow.mapping')} value={action.mapping} onChange={(mapping) => setAction({ mapping }, 'mapping')} />
      )}
      <Form.Item label={t('workflow.retryAttempts')}>
        <InputNumber aria-label={t('workflow.retryAttempts')} min={0} max={10} precision={0} value={data.retry?.attempts ?? 0} onChange={(n) => onChange({ retry: n ? { attempts: n } : undefined })} />
      </Form.Item>
      <Form.Item label={t('workflow.onFailure')}>
        <Select aria-label={t('workflow.onFailure')} value={data.onFailure ?? 'fail'} options={(['fail', 'continue'] as const).map((m) => ({ value: m, label: t(`workflow.onFailureModes.${m}`) }))} onChange={(onFailure: 'fail' | 'continue') => onChange({ onFailure })} />
      </Form.Item>
    </>
  );
}

function SubprocessEditor({ data, fields, onChange }: { data: NodeData; fields: FieldDef[]; onChange: (patch: Partial<NodeData>, key?: string) => void }) {
  const { t } = useTranslation();
  const l = useLocalize();
  const { forms } = useAllForms();
  const sub = useForm(data.formId || undefined);
  const mapping = data.mapping ?? {};
  const entries = Object.entries(mapping);
  const setMapping = (pairs: [string, string][]) => onChange({ mapping: Object.fromEntries(pairs.filter(([k]) => k)) });
  const subFields = (sub.data?.fields ?? []).filter((f) => !['divider', 'description', 'query', 'formula', 'serial'].includes(f.type));
  const taken = new Set(entries.map(([k]) => k));
  return (
    <>
      <Form.Item label={t('workflow.subForm')}>
        <Select aria-label={t('workflow.subForm')} showSearch={{ optionFilterProp: 'label' }} value={data.formId || undefined} options={forms.map((f) => ({ value: f.id, label: `${l(f.appName)} / ${l(f.name)}` }))} onChange={(formId: string) => onChange({ formId, mapping: {} })} />
      </Form.Item>
      <Form.Item>
        <Checkbox checked={Boolean(data.async)} onChange={(e) => onChange({ async: e.target.checked || undefined })}>
          {t('workflow.subAsync')}
        </Checkbox>
      </Form.Item>
      <Form.Item label={t('workflow.initiatorField')}>
        <Select
          aria-label={t('workflow.initiatorField')}
          allowClear
          placeholder={t('workflow.initiatorSame')}
          value={data.initiatorField}
          options={fields.filter((f) => MEMBER_FIELDS.has(f.type)).map((f) => ({ value: f.id, label: l(f.label) || f.id }))}
          onChange={(initiatorField: string | undefined) => onChange({ initiatorField })}
        />
      </Form.Item>
      {data.formId && (
        <Form.Item label={t('workflow.subMapping')}>
          <Space orientation="vertical" style={{ width: '100%' }}>
            {entries.map(([target, source], i) => (
              <Space.Compact key={i} style={{ width: '100%' }}>
                <Select
                  aria-label={`${t('workflow.subTarget')} ${i + 1}`}
                  style={{ width: '45%' }}
                  value={target}
                  options={subFields.filter((f) => f.id === target || !taken.has(f.id)).map((f) => ({ value: f.id, label: l(f.label) || f.id }))}
                  onChange={(k: string) => setMapping(entries.map(([a, b], j) => (j === i ? [k, b] : [a, b])))}
                />
                <Select
                  aria-label={`${t('workflow.subSource')} ${i + 1}`}
                  style={{ width: '45%' }}
                  value={source}
                  options={fields.map((f) => ({ value: f.id, label: l(f.label) || f.id }))}
                  onChange={(v: string) => setMapping(entries.map(([a, b], j) => (j === i ? [a, v] : [a, b])))}
                />
                <Button icon={<DeleteOutlined />} aria-label={`${t('common.delete')} ${i + 1}`} onClick={() => setMapping(entries.filter((_, j) => j !== i))} />
              </Space.Compact>
            ))}
            <Button
              size="small"
              icon={<PlusOutlined />}
              disabled={!subFields.some((f) => !taken.has(f.id)) || !fields.length}
              onClick={() => setMapping([...entries, [subFields.find((f) => !taken.has(f.id))!.id, fields[0].id]])}
            >
              {t('workflow.addMapping')}
            </Button>
          </Space>
        </Form.Item>
      )}
    </>
  );
}

function modeKind(mode: SignMode | undefined): 'or' | 'all' | 'sequential' | 'percent' {
  return typeof mode === 'object' ? 'percent' : (mode ?? 'or');
}

export interface NodePropertiesProps {
  id: string;
  type: NodeType;
  data: NodeData;
  fields: FieldDef[];
  /** `key` names the property being edited, so typing one name is one step of undo. */
  onChange: (patch: Partial<NodeData>, key?: string) => void;
  onDelete: () => void;
  onDuplicate: () => void;
}

/** The property panel of one node; what it offers depends on the node type. */
export const NodeProperties = memo(function NodeProperties({ id, type, data, fields, onChange, onDelete, onDuplicate }: NodePropertiesProps) {
  const { t } = useTranslation();
  const userTask = USER_TASK_TYPES.has(type);
  return (
    <Form layout="vertical" size="small" data-testid="wf-node-properties" onSubmitCapture={(e) => e.preventDefault()}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t(`workflow.nodeTypes.${type}`)} · {id}
      </Typography.Text>
      <Form.Item label={t('workflow.name')} style={{ marginTop: 8 }}>
        <Input aria-label={t('workflow.name')} value={data.name ?? ''} onChange={(e) => onChange({ name: e.target.value }, `name:${id}`)} maxLength={100} />
      </Form.Item>

      {HAS_ASSIGNEES.has(type) && (
        <Form.Item label={type === 'cc' ? t('workflow.ccTo') : t('workflow.assignees')}>
          <AssigneeEditor value={data.assignees ?? []} fields={fields} onChange={(assignees) => onChange({ assignees })} />
        </Form.Item>
      )}

      {userTask && (
        <>
          <Form.Item label={t('workflow.mode')}>
            <Radio.Group
              value={modeKind(data.mode)}
              onChange={(e) => onChange({ mode: e.target.value === 'percent' ? { percent: 50 } : e.target.value })}
              options={(['or', 'all', 'sequential', 'percent'] as const).map((m) => ({ value: m, label: t(`workflow.modes.${m}`) }))}
              style={{ display: 'grid', gap: 4 }}
            />
            {typeof data.mode === 'object' && (
              <InputNumber
                aria-label={t('workflow.percent')}
                style={{ marginTop: 6 }}
                min={1}
                max={100}
                value={data.mode.percent}
                onChange={(percent) => onChange({ mode: { percent: percent ?? 50 } }, `percent:${id}`)}
                suffix="%"
              />
            )}
          </Form.Item>
          <Form.Item label={t('workflow.onEmpty')}>
            <Select
              aria-label={t('workflow.onEmpty')}
              value={data.onEmpty ?? 'autoApprove'}
              options={(['autoApprove', 'admin', 'fail'] as const).map((m) => ({ value: m, label: t(`workflow.onEmptyModes.${m}`) }))}
              onChange={(onEmpty: NodeData['onEmpty']) => onChange({ onEmpty })}
            />
          </Form.Item>
          <Form.Item label={t('workflow.allow')}>
            <Checkbox.Group
              value={data.allow ?? []}
              options={TASK_ALLOWANCES.map((a) => ({ value: a, label: t(`workflow.allowances.${a}`) }))}
              onChange={(allow) => onChange({ allow: allow as TaskAllowance[] })}
            />
          </Form.Item>
          <Form.Item>
            <Space orientation="vertical">
              <Checkbox checked={Boolean(data.requireComment)} onChange={(e) => onChange({ requireComment: e.target.checked || undefined })}>
                {t('workflow.requireComment')}
              </Checkbox>
              <Checkbox checked={Boolean(data.dedupe)} onChange={(e) => onChange({ dedupe: e.target.checked || undefined })}>
                {t('workflow.dedupe')}
              </Checkbox>
            </Space>
          </Form.Item>
          <Form.Item label={t('workflow.timeout')}>
            <TimeoutEditor value={data.timeout} fields={fields} onChange={(timeout) => onChange({ timeout })} />
          </Form.Item>
        </>
      )}

      {type === 'automation' && <AutomationEditor data={data} onChange={onChange} />}
      {type === 'subprocess' && <SubprocessEditor data={data} fields={fields} onChange={onChange} />}

      {HAS_FIELD_PERMISSIONS.has(type) && (
        <>
          <Divider titlePlacement="start" plain>
            {t('workflow.fieldPermissions')}
          </Divider>
          <FieldPermissionGrid
            fields={fields}
            value={data.fieldPermissions}
            defaultMode={type === 'start' ? 'edit' : 'read'}
            modes={type === 'cc' ? ['hidden', 'read'] : undefined}
            onChange={(fieldPermissions) => onChange({ fieldPermissions })}
          />
        </>
      )}

      <Divider />
      <Space>
        <Button icon={<CopyOutlined />} onClick={onDuplicate}>
          {t('workflow.duplicate')}
        </Button>
        <Button danger icon={<DeleteOutlined />} onClick={onDelete}>
          {t('workflow.deleteNode')}
        </Button>
      </Space>
    </Form>
  );
});
