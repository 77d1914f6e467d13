import { Descriptions, Divider, Form, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FieldDef, FieldPermission, FormDef } from '../api/types.ts';
import { COMPUTED_TYPES, NO_DATA_TYPES } from '../fields/fieldTypes.ts';
import { useLocalize } from '../lib/localize.ts';
import { FieldInput } from '../renderer/FieldInput.tsx';
import { useOrgNames } from '../renderer/inputs/OrgPickers.tsx';
import { ValueView } from '../renderer/RecordView.tsx';
import { SubformGrid, type Row as SubRow } from '../renderer/SubformGrid.tsx';
import type { NodePermissions } from './api.ts';

type Data = Record<string, unknown>;

export function permissionAt(permissions: NodePermissions | null, fieldId: string): FieldPermission {
  if (!permissions) return 'read';
  return permissions.fields[fieldId] ?? permissions.default;
}

/** Fields the person at this node may change (computed values are the server's). */
export function editableFields(form: FormDef | undefined, permissions: NodePermissions | null): FieldDef[] {
  return (form?.fields ?? []).filter((f) => permissionAt(permissions, f.id) === 'edit' && !NO_DATA_TYPES.has(f.type) && !COMPUTED_TYPES.has(f.type));
}

/**
 * The record as the node allows: hidden fields are left out, read-only ones shown, editable ones as inputs when
 * the task is the viewer's to act on. `errors` are the server's answers per field.
 */
export function TaskRecord({ form, data, permissions, editing, edits, onEdit, errors }: {
  form: FormDef | undefined;
  data: Data;
  permissions: NodePermissions | null;
  editing: boolean;
  edits: Data;
  onEdit: (fieldId: string, value: unknown) => void;
  errors: Map<string, string>;
}) {
  const { t } = useTranslation();
  const l = useLocalize();
  const names = useOrgNames();
  if (!form) {
    // Without access to the form's definition the values are still worth showing, under their ids.
    return (
      <Descriptions bordered size="small" column={1} data-testid="task-record" items={Object.entries(data).map(([k, v]) => ({ key: k, label: k, children: typeof v === 'object' ? JSON.stringify(v) : String(v ?? '') }))} />
    );
  }
  const values = { ...data, ...edits };
  const visible = form.fields.filter((f) => permissionAt(permissions, f.id) !== 'hidden');
  return (
    <Form layout="vertical" component="div" data-testid="task-record">
      {visible.map((field) => {
        const label = l(field.label) || field.id;
        if (field.type === 'divider') return <Divider key={field.id} titlePlacement="start">{label}</Divider>;
        if (field.type === 'description') return <Typography.Paragraph key={field.id} type="secondary">{l(field.content) || label}</Typography.Paragraph>;
        const mode = permissionAt(permissions, field.id);
        const canEdit = editing && mode === 'edit' && !NO_DATA_TYPES.has(field.type) && !COMPUTED_TYPES.has(field.type);
        const error = errors.get(field.id);
        const id = `task_${field.id}`;
        let body: React.ReactNode;
        if (!canEdit) body = <ValueView field={field} value={values[field.id]} ctx={{ names }} />;
        else if (field.type === 'subform') {
          const rows = (values[field.id] as SubRow[] | undefined) ?? [];
          body = <SubformGrid field={field} id={id} label={label} rows={rows} computedRows={rows} onChange={(next) => onEdit(field.id, next)} errorFor={() => undefined} />;
        } else body = <FieldInput field={field} id={id} label={label} value={values[field.id]} onChange={(v) => onEdit(field.id, v)} invalid={Boolean(error)} />;
        return (
          <Form.Item
            key={field.id}
            label={
              <span>
                {label}
                {canEdit && <Typography.Text type="secondary" style={{ fontSize: 12, marginLeft: 6 }}>{t('tasks.editable')}</Typography.Text>}
              </span>
            }
            htmlFor={canEdit ? id : undefined}
            validateStatus={error ? 'error' : undefined}
            help={error ? <span role="alert">{error}</span> : undefined}
            data-testid={`task-field-${field.id}`}
            data-mode={canEdit ? 'edit' : 'read'}
            style={{ marginBottom: 12 }}
          >
            {body}
          </Form.Item>
        );
      })}
    </Form>
  );
}
