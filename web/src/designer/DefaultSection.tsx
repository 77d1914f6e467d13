import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Form, Input, Segmented, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FormWithApp } from '../api/queries.ts';
import type { FieldDef } from '../api/types.ts';
import { formulaProblem } from '../engine/engine.ts';
import { NO_DATA_TYPES } from '../fields/fieldTypes.ts';
import { useLocalize } from '../lib/localize.ts';
import type { Draft } from './designerState.ts';
import { FormulaEditor, type FormulaReference } from './FormulaEditor.tsx';

type Mode = 'fixed' | 'formula' | 'linkage';

interface DefaultSectionProps {
  field: FieldDef;
  subformId?: string;
  draft: Draft;
  references: FormulaReference[];
  forms: FormWithApp[];
  fixedInput: React.ReactNode;
  update: (patch: Partial<FieldDef>, coalesce?: string) => void;
}

/** Default value 默认值: a fixed value, a formula, or data linkage 数据联动 from another form. */
export function DefaultSection({ field, subformId, draft, references, forms, fixedInput, update }: DefaultSectionProps) {
  const { t } = useTranslation();
  const l = useLocalize();
  const mode: Mode = field.linkage ? 'linkage' : field.formula !== undefined ? 'formula' : 'fixed';
  const prefix = `prop-${field.id}-default`;
  const setMode = (next: Mode) => {
    if (next === 'fixed') update({ formula: undefined, linkage: undefined });
    if (next === 'formula') update({ default: undefined, linkage: undefined, formula: '' });
    if (next === 'linkage') update({ default: undefined, formula: undefined, linkage: { form: '', match: [{ field: '', value: '' }], take: '' } });
  };
  const linkage = field.linkage;
  const target = forms.find((f) => f.id === linkage?.form);
  const targetFieldOptions = (target?.fields ?? []).filter((f) => !NO_DATA_TYPES.has(f.type) && f.type !== 'subform').map((f) => ({ value: f.id, label: l(f.label) }));
  const setLinkage = (patch: Partial<NonNullable<FieldDef['linkage']>>, coalesce?: string) => update({ linkage: { ...linkage!, ...patch } }, coalesce);

  return (
    <Form.Item label={t('designer.default')}>
      <Segmented
        size="small"
        value={mode}
        onChange={(v) => setMode(v as Mode)}
        options={[
          { value: 'fixed', label: t('designer.defaultFixed') },
          { value: 'formula', label: t('designer.defaultFormula') },
          { value: 'linkage', label: t('designer.defaultLinkage') },
        ]}
        style={{ marginBottom: 8 }}
      />
      {mode === 'fixed' && fixedInput}
      {mode === 'formula' && (
        <FormulaEditor
          id={`${prefix}-formula`}
          label={t('designer.defaultFormula')}
          value={field.formula ?? ''}
          references={references}
          error={formulaProblem(field.formula ?? '', draft, field.id, subformId)}
          onChange={(formula) => update({ formula }, `${prefix}-formula`)}
        />
      )}
      {mode === 'linkage' && linkage && (
        <div style={{ display: 'grid', gap: 6 }} data-testid="linkage-editor">
          <Select
            aria-label={t('designer.linkageForm')}
            placeholder={t('designer.linkageForm')}
            showSearch={{ optionFilterProp: 'label' }}
            value={linkage.form || undefined}
            onChange={(form: string) => setLinkage({ form, match: [{ field: '', value: '' }], take: '' })}
            options={forms.map((f) => ({ value: f.id, label: `${l(f.appName)} / ${l(f.name)}` }))}
          />
          {linkage.match.map((m, i) => (
            <Space.Compact key={i} style={{ width: '100%' }}>
              <Select
                aria-label={t('designer.linkageMatchField')}
                placeholder={t('designer.linkageMatchField')}
                style={{ width: '45%' }}
                value={m.field || undefined}
                options={targetFieldOptions}
                onChange={(fieldId: string) => setLinkage({ match: linkage.match.map((x, j) => (j === i ? { ...x, field: fieldId } : x)) })}
              />
              <Input
                aria-label={t('designer.linkageMatchValue')}
                placeholder={t('designer.linkageMatchValue')}
                value={m.value}
                style={{ fontFamily: 'monospace' }}
                onChange={(e) => setLinkage({ match: linkage.match.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)) }, `${prefix}-match-${i}`)}
              />
              <Button icon={<DeleteOutlined />} disabled={linkage.match.length < 2} onClick={() => setLinkage({ match: linkage.match.filter((_, j) => j !== i) })} aria-label={t('designer.remove')} />
            </Space.Compact>
          ))}
          <Button size="small" icon={<PlusOutlined />} onClick={() => setLinkage({ match: [...linkage.match, { field: '', value: '' }] })}>
            {t('designer.linkageAddMatch')}
          </Button>
          <Select
            aria-label={t('designer.linkageTake')}
            placeholder={t('designer.linkageTake')}
            value={linkage.take || undefined}
            options={targetFieldOptions}
            onChange={(take: string) => setLinkage({ take })}
          />
        </div>
      )}
    </Form.Item>
  );
}
