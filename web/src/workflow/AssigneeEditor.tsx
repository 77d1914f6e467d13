import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Checkbox, InputNumber, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { useRoles } from '../api/queries.ts';
import type { FieldDef } from '../api/types.ts';
import { useLocalize } from '../lib/localize.ts';
import { DepartmentPicker, MemberPicker } from '../renderer/inputs/OrgPickers.tsx';
import { ASSIGNEE_KINDS, type Assignee, type AssigneeKind } from './model.ts';

const MEMBER_FIELDS = new Set(['member', 'members', 'department', 'departments']);
const DEPARTMENT_FIELDS = new Set(['department', 'departments']);

function fresh(kind: AssigneeKind): Assignee {
  if (kind === 'supervisor') return { kind, level: 1 };
  if (kind === 'departmentSupervisor') return { kind, ids: [], level: 1 };
  if (kind === 'initiator') return { kind };
  if (kind === 'field') return { kind };
  return { kind, ids: [] };
}

function AssigneeRow({ value, fields, onChange, onRemove, index }: { value: Assignee; fields: FieldDef[]; onChange: (a: Assignee) => void; onRemove: () => void; index: number }) {
  const { t } = useTranslation();
  const l = useLocalize();
  const roles = useRoles();
  const label = (key: string) => `${t(key)} ${index + 1}`;
  const fieldOptions = (allowed: Set<string>) => fields.filter((f) => allowed.has(f.type)).map((f) => ({ value: f.id, label: l(f.label) || f.id }));
  const level = (
    <Space>
      <span>{t('workflow.level')}</span>
      <InputNumber aria-label={label('workflow.level')} min={1} max={5} precision={0} value={value.level ?? 1} onChange={(v) => onChange({ ...value, level: v ?? 1 })} style={{ width: 80 }} />
    </Space>
  );
  let detail: React.ReactNode = null;
  switch (value.kind) {
    case 'member':
      detail = <MemberPicker multiple ariaLabel={label('workflow.pickMembers')} value={value.ids} onChange={(ids) => onChange({ ...value, ids: (ids as string[] | undefined) ?? [] })} />;
      break;
    case 'department':
      detail = (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <DepartmentPicker multiple ariaLabel={label('workflow.pickDepartments')} value={value.ids} onChange={(ids) => onChange({ ...value, ids: (ids as string[] | undefined) ?? [] })} />
          <Checkbox checked={Boolean(value.includeSubDepartments)} onChange={(e) => onChange({ ...value, includeSubDepartments: e.target.checked || undefined })}>
            {t('workflow.includeSub')}
          </Checkbox>
        </Space>
      );
      break;
    case 'role':
      detail = (
        <Select
          aria-label={label('workflow.pickRoles')}
          mode="multiple"
          style={{ width: '100%' }}
          loading={roles.isLoading}
          value={value.ids ?? []}
          showSearch={{ optionFilterProp: 'label' }}
          options={(roles.data ?? []).map((r) => ({ value: r.id, label: l(r.name) }))}
          onChange={(ids: string[]) => onChange({ ...value, ids })}
        />
      );
      break;
    case 'supervisor':
      detail = level;
      break;
    case 'departmentSupervisor': {
      const byField = value.field !== undefined;
      detail = (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Select
            aria-label={label('workflow.departmentSource')}
            value={byField ? 'field' : 'ids'}
            options={[
              { value: 'ids', label: t('workflow.pickDepartments') },
              { value: 'field', label: t('workflow.departmentField') },
            ]}
            onChange={(v) => onChange(v === 'field' ? { kind: value.kind, level: value.level, field: fieldOptions(DEPARTMENT_FIELDS)[0]?.value ?? '' } : { kind: value.kind, level: value.level, ids: [] })}
          />
          {byField ? (
            <Select aria-label={label('workflow.pickField')} style={{ width: '100%' }} value={value.field || undefined} options={fieldOptions(DEPARTMENT_FIELDS)} onChange={(field: string) => onChange({ ...value, field })} />
          ) : (
            <DepartmentPicker multiple ariaLabel={label('workflow.pickDepartments')} value={value.ids} onChange={(ids) => onChange({ ...value, ids: (ids as string[] | undefined) ?? [] })} />
          )}
          {level}
        </Space>
      );
      break;
    }
    case 'field':
      detail = <Select aria-label={label('workflow.pickField')} style={{ width: '100%' }} value={value.field} options={fieldOptions(MEMBER_FIELDS)} onChange={(field: string) => onChange({ ...value, field })} />;
      break;
    default:
      detail = null;
  }
  return (
    <div className="qiao-flow-assignee" data-testid="wf-assignee">
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Select
          aria-label={label('workflow.assigneeKind')}
          style={{ width: 200 }}
          value={value.kind}
          options={ASSIGNEE_KINDS.map((k) => ({ value: k, label: t(`workflow.assigneeKinds.${k}`) }))}
          onChange={(kind: AssigneeKind) => onChange(fresh(kind))}
        />
        <Button type="text" danger icon={<DeleteOutlined />} onClick={onRemove} aria-label={label('workflow.removeAssignee')} />
      </Space>
      {detail && <div style={{ marginTop: 6 }}>{detail}</div>}
    </div>
  );
}

/** Who acts at a node: any mix of members, departments, roles, supervisors and member fields of the form. */
export function AssigneeEditor({ value, fields, onChange }: { value: Assignee[]; fields: FieldDef[]; onChange: (next: Assignee[]) => void }) {
  const { t } = useTranslation();
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {value.map((a, i) => (
        <AssigneeRow
          key={i}
          index={i}
          value={a}
          fields={fields}
          onChange={(next) => onChange(value.map((old, j) => (j === i ? next : old)))}
          onRemove={() => onChange(value.filter((_, j) => j !== i))}
        />
      ))}
      <Button size="small" icon={<PlusOutlined />} onClick={() => onChange([...value, fresh('member')])}>
        {t('workflow.addAssignee')}
      </Button>
    </Space>
  );
}
