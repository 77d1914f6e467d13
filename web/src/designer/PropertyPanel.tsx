import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined } from '@ant-design/icons';
import { Button, Card, Checkbox, DatePicker, Divider, Form, Input, InputNumber, Radio, Select, Space, Typography } from 'antd';
import dayjs from 'dayjs';
import type { Dispatch } from 'react';
import { useTranslation } from 'react-i18next';
import { useAllForms } from '../api/queries.ts';
import type { FieldDef, FieldType, Localized } from '../api/types.ts';
import { formulaProblem } from '../engine/engine.ts';
import { ConditionBuilder, pruneCondition } from '../fields/ConditionBuilder.tsx';
import { FieldIcon } from '../fields/FieldIcon.tsx';
import { FIELD_TYPES, MULTI_VALUE_TYPES, NO_DATA_TYPES, NUMERIC_TYPES, OPTION_TYPES, UNIQUE_CAPABLE, typeInfo } from '../fields/fieldTypes.ts';
import { localize, useLocalize } from '../lib/localize.ts';
import type { DesignerAction, Draft } from './designerState.ts';
import { FormulaEditor, type FormulaReference } from './FormulaEditor.tsx';
import { OptionsEditor } from './OptionsEditor.tsx';
import { DefaultSection } from './DefaultSection.tsx';

const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

function LabelInputs({ value, onChange, idPrefix }: { value: Localized; onChange: (next: Localized, coalesce: string) => void; idPrefix: string }) {
  const { t } = useTranslation();
  const zh = localize(value, 'zh-CN');
  const en = typeof value === 'string' ? '' : (value.en ?? '');
  return (
    <>
      <Form.Item label={t('designer.labelZh')} htmlFor={`${idPrefix}-label-zh`}>
        <Input id={`${idPrefix}-label-zh`} value={zh} onChange={(e) => onChange({ 'zh-CN': e.target.value, en }, `${idPrefix}-zh`)} />
      </Form.Item>
      <Form.Item label={t('designer.labelEn')} htmlFor={`${idPrefix}-label-en`}>
        <Input id={`${idPrefix}-label-en`} value={en} onChange={(e) => onChange({ 'zh-CN': zh, en: e.target.value }, `${idPrefix}-en`)} />
      </Form.Item>
    </>
  );
}

function DefaultValueInput({ field, onChange }: { field: FieldDef; onChange: (v: unknown) => void }) {
  const { t } = useTranslation();
  const l = useLocalize();
  const id = `prop-${field.id}-default`;
  const value = field.default;
  if (OPTION_TYPES.has(field.type)) {
    const multiple = MULTI_VALUE_TYPES.has(field.type);
    return (
      <Select
        id={id}
        allowClear
        mode={multiple ? 'multiple' : undefined}
        value={value as string | string[] | undefined}
        onChange={(v) => onChange(v ?? undefined)}
        options={(field.options ?? []).map((o) => ({ value: o.value, label: l(o.label) }))}
        placeholder={t('designer.noDefault')}
      />
    );
  }
  if (NUMERIC_TYPES.has(field.type)) return <InputNumber id={id} value={value as number | undefined} onChange={(v) => onChange(v ?? undefined)} style={{ width: '100%' }} />;
  if (field.type === 'date') return <DatePicker id={id} value={typeof value === 'string' ? dayjs(value) : null} onChange={(d) => onChange(d ? d.format('YYYY-MM-DD') : undefined)} style={{ width: '100%' }} />;
  return <Input id={id} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value || undefined)} />;
}

function SubformColumnsEditor({ field, selectedColumn, dispatch }: { field: FieldDef; selectedColumn: string | null; dispatch: Dispatch<DesignerAction> }) {
  const { t, i18n } = useTranslation();
  const l = useLocalize();
  const columns = field.fields ?? [];
  return (
    <div style={{ display: 'grid', gap: 6 }} data-testid="subform-columns-editor">
      {columns.map((column, i) => {
        const key = `${field.id}/${column.id}`;
        return (
          <Space.Compact key={column.id} style={{ width: '100%' }}>
            <Button
              type={selectedColumn === key ? 'primary' : 'default'}
              style={{ flex: 1, justifyContent: 'flex-start', overflow: 'hidden' }}
              icon={<FieldIcon type={column.type} />}
              onClick={() => dispatch({ type: 'select', id: field.id, column: key })}
            >
              {l(column.label) || column.id}
            </Button>
            <Button icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => dispatch({ type: 'moveColumn', subformId: field.id, from: i, to: i - 1 })} aria-label={t('designer.moveUp')} />
            <Button icon={<ArrowDownOutlined />} disabled={i === columns.length - 1} onClick={() => dispatch({ type: 'moveColumn', subformId: field.id, from: i, to: i + 1 })} aria-label={t('designer.moveDown')} />
            <Button danger icon={<DeleteOutlined />} onClick={() => dispatch({ type: 'removeColumn', subformId: field.id, columnId: column.id })} aria-label={t('designer.removeColumn')} />
          </Space.Compact>
        );
      })}
      <Select<FieldType>
        aria-label={t('designer.addColumn')}
        placeholder={t('designer.addColumn')}
        value={null as unknown as FieldType}
        onChange={(type) => dispatch({ type: 'addColumn', subformId: field.id, fieldType: type })}
        options={FIELD_TYPES.filter((info) => info.inSubform).map((info) => ({ value: info.type, label: localize(info.label, i18n.language) }))}
      />
    </div>
  );
}

interface FieldPropertiesProps {
  field: FieldDef;
  /** Set when the field is a subform column. */
  subform?: FieldDef;
  draft: Draft;
  selectedColumn: string | null;
  dispatch: Dispatch<DesignerAction>;
}

function FieldProperties({ field, subform, draft, selectedColumn, dispatch }: FieldPropertiesProps) {
  const { t } = useTranslation();
  const l = useLocalize();
  const allForms = useAllForms();
  const update = (patch: Partial<FieldDef>, coalesce?: string) =>
    subform
      ? dispatch({ type: 'updateColumn', subformId: subform.id, columnId: field.id, patch, coalesce })
      : dispatch({ type: 'update', id: field.id, patch, coalesce });
  const siblings = subform ? (subform.fields ?? []) : draft.fields;
  const prefix = `prop-${field.id}`;
  const idTaken = (id: string) => id !== field.id && (draft.fields.some((f) => f.id === id) || draft.fields.some((f) => f.fields?.some((c) => c.id === id)));
  const formulaRefs: FormulaReference[] = subform
    ? (subform.fields ?? []).filter((c) => c.id !== field.id).map((c) => ({ id: c.id, label: l(c.label) }))
    : draft.fields.flatMap((f) =>
        f.id === field.id || NO_DATA_TYPES.has(f.type)
          ? []
          : f.type === 'subform'
            ? (f.fields ?? []).map((c) => ({ id: `${f.id}.${c.id}`, label: `${l(f.label)}.${l(c.label)}` }))
            : [{ id: f.id, label: l(f.label) }],
      );
  const targetForm = allForms.forms.find((f) => f.id === field.form);
  const hasData = !NO_DATA_TYPES.has(field.type);

  return (
    <Form layout="vertical" size="small" data-testid="property-panel" onSubmitCapture={(e) => e.preventDefault()}>
      <Typography.Text type="secondary">
        <FieldIcon type={field.type} /> {l(typeInfo(field.type).label)}
        {subform ? ` · ${t('designer.columnOf', { subform: l(subform.label) })}` : ''}
      </Typography.Text>
      <LabelInputs value={field.label} idPrefix={prefix} onChange={(label, coalesce) => update({ label }, coalesce)} />
      <Form.Item
        label={t('designer.fieldId')}
        htmlFor={`${prefix}-id`}
        validateStatus={!ID_PATTERN.test(field.id) ? 'error' : undefined}
        help={!ID_PATTERN.test(field.id) ? t('designer.idInvalid') : t('designer.idHelp')}
      >
        <Input
          id={`${prefix}-id`}
          defaultValue={field.id}
          key={field.id}
          onBlur={(e) => {
            const next = e.target.value.trim();
            if (next && next !== field.id && ID_PATTERN.test(next) && !idTaken(next)) update({ id: next });
            else e.target.value = field.id;
          }}
        />
      </Form.Item>
      {hasData && field.type !== 'formula' && field.type !== 'serial' && (
        <Space wrap>
          <Checkbox checked={Boolean(field.required)} onChange={(e) => update({ required: e.target.checked || undefined })}>
            {t('designer.required')}
          </Checkbox>
          {UNIQUE_CAPABLE.has(field.type) && !subform && (
            <Checkbox checked={Boolean(field.unique)} onChange={(e) => update({ unique: e.target.checked || undefined })}>
              {t('designer.unique')}
            </Checkbox>
          )}
          <Checkbox checked={Boolean(field.readOnly)} onChange={(e) => update({ readOnly: e.target.checked || undefined })}>
            {t('designer.readOnly')}
          </Checkbox>
        </Space>
      )}
      {hasData && (
        <Form.Item label={t('designer.help')} htmlFor={`${prefix}-help`} style={{ marginTop: 8 }}>
          <Input id={`${prefix}-help`} value={l(field.help)} onChange={(e) => update({ help: e.target.value || undefined }, `${prefix}-help`)} />
        </Form.Item>
      )}
      {OPTION_TYPES.has(field.type) && (
        <Form.Item label={t('designer.options')}>
          <OptionsEditor options={field.options ?? []} onChange={(options, coalesce) => update({ options }, coalesce ? `${prefix}-${coalesce}` : undefined)} />
        </Form.Item>
      )}
      {hasData && !['formula', 'serial', 'subform', 'signature', 'image', 'attachment', 'location'].includes(field.type) && (
        <DefaultSection
          field={field}
          subformId={subform?.id}
          draft={draft}
          references={formulaRefs}
          forms={allForms.forms}
          update={update}
          fixedInput={<DefaultValueInput field={field} onChange={(value) => update({ default: value })} />}
        />
      )}
      {field.type === 'phone' && (
        <Form.Item label={t('designer.phoneFormat')} htmlFor={`${prefix}-format`}>
          <Select
            id={`${prefix}-format`}
            value={field.format ?? 'any'}
            onChange={(format) => update({ format: format === 'any' ? undefined : format })}
            options={(['any', 'mobile', 'landline'] as const).map((f) => ({ value: f, label: t(`designer.phoneFormats.${f}`) }))}
          />
        </Form.Item>
      )}
      {(NUMERIC_TYPES.has(field.type) || field.type === 'formula') && (
        <Space wrap>
          <Form.Item label={t('designer.min')} htmlFor={`${prefix}-min`}>
            <InputNumber id={`${prefix}-min`} value={field.min} onChange={(v) => update({ min: v ?? undefined })} />
          </Form.Item>
          <Form.Item label={t('designer.max')} htmlFor={`${prefix}-max`}>
            <InputNumber id={`${prefix}-max`} value={field.max} onChange={(v) => update({ max: v ?? undefined })} />
          </Form.Item>
          <Form.Item label={t('designer.precision')} htmlFor={`${prefix}-precision`}>
            <InputNumber id={`${prefix}-precision`} min={0} max={10} value={field.precision} onChange={(v) => update({ precision: v ?? undefined })} />
          </Form.Item>
        </Space>
      )}
      {field.type === 'number' && (
        <Space wrap>
          <Checkbox checked={Boolean(field.thousands)} onChange={(e) => update({ thousands: e.target.checked || undefined })}>
            {t('designer.thousands')}
          </Checkbox>
          <Checkbox checked={Boolean(field.percent)} onChange={(e) => update({ percent: e.target.checked || undefined })}>
            {t('designer.percent')}
          </Checkbox>
        </Space>
      )}
      {field.type === 'money' && (
        <Form.Item label={t('designer.currency')} htmlFor={`${prefix}-currency`}>
          <Select id={`${prefix}-currency`} value={field.currency ?? 'CNY'} onChange={(currency) => update({ currency })} options={['CNY', 'USD', 'EUR', 'HKD', 'JPY'].map((c) => ({ value: c, label: c }))} />
        </Form.Item>
      )}
      {(field.type === 'text' || field.type === 'textarea') && (
        <Space wrap>
          <Form.Item label={t('designer.minLength')} htmlFor={`${prefix}-minLength`}>
            <InputNumber id={`${prefix}-minLength`} min={0} value={field.minLength as number | undefined} onChange={(v) => update({ minLength: v ?? undefined })} />
          </Form.Item>
          <Form.Item label={t('designer.maxLength')} htmlFor={`${prefix}-maxLength`}>
            <InputNumber id={`${prefix}-maxLength`} min={1} value={field.maxLength as number | undefined} onChange={(v) => update({ maxLength: v ?? undefined })} />
          </Form.Item>
        </Space>
      )}
      {field.type === 'formula' && (
        <FormulaEditor
          id={`${prefix}-formula`}
          label={t('designer.formula')}
          value={field.formula ?? ''}
          references={formulaRefs}
          error={formulaProblem(field.formula ?? '', draft, field.id, subform?.id)}
          onChange={(formula) => update({ formula }, `${prefix}-formula`)}
        />
      )}
      {field.type === 'serial' && (
        <Form.Item label={t('designer.serialPattern')} htmlFor={`${prefix}-pattern`} help={t('designer.serialHelp')}>
          <Input id={`${prefix}-pattern`} value={field.pattern ?? ''} onChange={(e) => update({ pattern: e.target.value }, `${prefix}-pattern`)} style={{ fontFamily: 'monospace' }} />
        </Form.Item>
      )}
      {field.type === 'description' && (
        <LabelInputs value={field.content ?? ''} idPrefix={`${prefix}-content`} onChange={(content, coalesce) => update({ content }, coalesce)} />
      )}
      {field.type === 'subform' && (
        <>
          <Form.Item label={t('designer.columns')}>
            <SubformColumnsEditor field={field} selectedColumn={selectedColumn} dispatch={dispatch} />
          </Form.Item>
          <Space wrap>
            <Form.Item label={t('designer.minRows')} htmlFor={`${prefix}-minRows`}>
              <InputNumber id={`${prefix}-minRows`} min={0} value={field.minRows} onChange={(v) => update({ minRows: v ?? undefined })} />
            </Form.Item>
            <Form.Item label={t('designer.maxRows')} htmlFor={`${prefix}-maxRows`}>
              <InputNumber id={`${prefix}-maxRows`} min={1} value={field.maxRows} onChange={(v) => update({ maxRows: v ?? undefined })} />
            </Form.Item>
          </Space>
        </>
      )}
      {(field.type === 'relation' || field.type === 'query') && (
        <>
          <Form.Item label={t('designer.targetForm')} htmlFor={`${prefix}-form`}>
            <Select
              id={`${prefix}-form`}
              showSearch={{ optionFilterProp: 'label' }}
              loading={allForms.isLoading}
              value={field.form}
              onChange={(form) => update({ form, displayFields: undefined, filter: undefined })}
              options={allForms.forms.map((f) => ({ value: f.id, label: `${l(f.appName)} / ${l(f.name)}` }))}
            />
          </Form.Item>
          {targetForm && field.type === 'relation' && (
            <>
              <Form.Item label={t('designer.displayFields')} htmlFor={`${prefix}-displayFields`} help={t('designer.displayFieldsHelp')}>
                <Select
                  id={`${prefix}-displayFields`}
                  mode="multiple"
                  value={(field.displayFields as string[] | undefined) ?? []}
                  onChange={(displayFields: string[]) => update({ displayFields: displayFields.length ? displayFields : undefined })}
                  options={targetForm.fields.filter((f) => !NO_DATA_TYPES.has(f.type) && f.type !== 'subform').map((f) => ({ value: f.id, label: l(f.label) }))}
                />
              </Form.Item>
              <Form.Item label={t('designer.relationFilter')}>
                <ConditionBuilder value={field.filter} fields={targetForm.fields} onChange={(c) => update({ filter: pruneCondition(c) })} />
              </Form.Item>
            </>
          )}
          {targetForm && field.type === 'query' && (
            <>
              <Form.Item label={t('designer.displayFields')} htmlFor={`${prefix}-displayFields`}>
                <Select
                  id={`${prefix}-displayFields`}
                  mode="multiple"
                  value={(field.displayFields as string[] | undefined) ?? []}
                  onChange={(displayFields: string[]) => update({ displayFields: displayFields.length ? displayFields : undefined })}
                  options={targetForm.fields.filter((f) => !NO_DATA_TYPES.has(f.type) && f.type !== 'subform').map((f) => ({ value: f.id, label: l(f.label) }))}
                />
              </Form.Item>
              <Form.Item label={t('designer.queryFilter')}>
                <ConditionBuilder value={field.filter} fields={targetForm.fields} onChange={(c) => update({ filter: pruneCondition(c) })} />
              </Form.Item>
            </>
          )}
        </>
      )}
      {!subform && hasData && (
        <>
          <Divider style={{ margin: '12px 0' }} />
          <Form.Item label={t('designer.visibleWhen')} help={t('designer.visibleWhenHelp')}>
            <ConditionBuilder
              value={field.visibleWhen}
              fields={siblings.filter((f) => f.id !== field.id)}
              onChange={(c) => update({ visibleWhen: pruneCondition(c) ? c : undefined })}
            />
          </Form.Item>
          <Form.Item label={t('designer.requiredWhen')}>
            <ConditionBuilder
              value={field.requiredWhen}
              fields={siblings.filter((f) => f.id !== field.id)}
              onChange={(c) => update({ requiredWhen: pruneCondition(c) ? c : undefined })}
            />
          </Form.Item>
        </>
      )}
    </Form>
  );
}

function FormSettings({ draft, dispatch }: { draft: Draft; dispatch: Dispatch<DesignerAction> }) {
  const { t } = useTranslation();
  const columns = draft.settings.columns === 2 ? 2 : 1;
  return (
    <Form layout="vertical" size="small" data-testid="form-settings">
      <LabelInputs value={draft.name} idPrefix="form-name" onChange={(name) => dispatch({ type: 'setName', name })} />
      <Form.Item label={t('designer.layout')}>
        <Radio.Group
          value={columns}
          onChange={(e) => dispatch({ type: 'setSettings', patch: { columns: e.target.value } })}
          options={[
            { value: 1, label: t('designer.oneColumn') },
            { value: 2, label: t('designer.twoColumns') },
          ]}
          optionType="button"
        />
      </Form.Item>
    </Form>
  );
}

export function PropertyPanel({ draft, selectedId, selectedColumn, dispatch }: { draft: Draft; selectedId: string | null; selectedColumn: string | null; dispatch: Dispatch<DesignerAction> }) {
  const { t } = useTranslation();
  const field = draft.fields.find((f) => f.id === selectedId);
  const column = field && selectedColumn?.startsWith(`${field.id}/`) ? field.fields?.find((c) => `${field.id}/${c.id}` === selectedColumn) : undefined;
  return (
    <Card
      size="small"
      title={column ? t('designer.columnProperties') : field ? t('designer.fieldProperties') : t('designer.formProperties')}
      extra={column ? <Button size="small" type="link" onClick={() => dispatch({ type: 'select', id: field!.id })}>{t('designer.backToSubform')}</Button> : undefined}
      style={{ position: 'sticky', top: 8, maxHeight: 'calc(100vh - 96px)', overflow: 'auto' }}
      aria-label={t('designer.properties')}
    >
      {column && field ? (
        <FieldProperties key={selectedColumn} field={column} subform={field} draft={draft} selectedColumn={selectedColumn} dispatch={dispatch} />
      ) : field ? (
        <FieldProperties key={field.id} field={field} draft={draft} selectedColumn={selectedColumn} dispatch={dispatch} />
      ) : (
        <FormSettings draft={draft} dispatch={dispatch} />
      )}
    </Card>
  );
}
