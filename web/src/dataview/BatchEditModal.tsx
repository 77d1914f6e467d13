import { Alert, Form, Input, Modal, Progress, Segmented, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { formRights, type FieldDef, type FormDef, type RecordItem } from '../api/types.ts';
import { evaluateFormula, formulaSyntaxError } from '../engine/engine.ts';
import { COMPUTED_TYPES, NO_DATA_TYPES } from '../fields/fieldTypes.ts';
import { errorMessage } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import { FieldInput } from '../renderer/FieldInput.tsx';
import { runLimited } from './batch.ts';

interface BatchEditModalProps {
  form: FormDef;
  records: RecordItem[];
  open: boolean;
  onClose: () => void;
  onDone: () => void;
}

/** Batch edit 批量修改: one field of every selected record set to a fixed value or to a formula over that record. */
export function BatchEditModal({ form, records, open, onClose, onDone }: BatchEditModalProps) {
  const { t } = useTranslation();
  const l = useLocalize();
  const editable = form.fields.filter((f) => !NO_DATA_TYPES.has(f.type) && !COMPUTED_TYPES.has(f.type) && f.type !== 'subform' && formRights(form).fields?.[f.id] !== 'read' && formRights(form).fields?.[f.id] !== 'hidden');
  const [fieldId, setFieldId] = useState<string | undefined>(editable[0]?.id);
  const [mode, setMode] = useState<'value' | 'formula'>('value');
  const [value, setValue] = useState<unknown>(undefined);
  const [formula, setFormula] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [failures, setFailures] = useState<string[]>([]);
  const field: FieldDef | undefined = editable.find((f) => f.id === fieldId);
  const syntax = mode === 'formula' && formula.trim() ? formulaSyntaxError(formula) : null;

  const apply = async () => {
    if (!field) return;
    setFailures([]);
    setProgress(0);
    const failed = await runLimited(
      records,
      4,
      async (record) => {
        const next = mode === 'value' ? value : evaluateFormula(form, formula, record.data);
        await api('PATCH', `/forms/${form.id}/records/${record.id}`, { data: { [field.id]: next ?? null }, version: record.version });
      },
      (done) => setProgress(Math.round((done / records.length) * 100)),
    );
    setFailures(failed.map((f) => `${f.item.id}: ${errorMessage(f.error, t)}`));
    onDone();
    if (!failed.length) {
      setProgress(null);
      onClose();
    }
  };

  return (
    <Modal open={open} title={t('batch.editTitle', { count: records.length })} onCancel={onClose} onOk={() => void apply()} okButtonProps={{ disabled: !field || Boolean(syntax) || (mode === 'formula' && !formula.trim()), loading: progress !== null && progress < 100 }} destroyOnHidden>
      <Form layout="vertical">
        <Form.Item label={t('batch.field')} htmlFor="batch-field">
          <Select id="batch-field" value={fieldId} onChange={(id) => { setFieldId(id); setValue(undefined); }} options={editable.map((f) => ({ value: f.id, label: l(f.label) }))} />
        </Form.Item>
        <Segmented
          value={mode}
          onChange={(v) => setMode(v as 'value' | 'formula')}
          options={[
            { value: 'value', label: t('batch.fixedValue') },
            { value: 'formula', label: t('batch.formula') },
          ]}
          style={{ marginBottom: 12 }}
        />
        {field && mode === 'value' && (
          <Form.Item label={t('batch.newValue')} htmlFor="batch-value">
            <FieldInput field={field} id="batch-value" label={t('batch.newValue')} value={value} onChange={setValue} />
          </Form.Item>
        )}
        {mode === 'formula' && (
          <Form.Item label={t('batch.formula')} htmlFor="batch-formula" validateStatus={syntax ? 'error' : undefined} help={syntax ?? t('batch.formulaHelp')}>
            <Input id="batch-formula" value={formula} onChange={(e) => setFormula(e.target.value)} style={{ fontFamily: 'monospace' }} />
          </Form.Item>
        )}
        {progress !== null && <Progress percent={progress} />}
        {failures.length > 0 && <Alert type="error" showIcon title={t('batch.failed', { count: failures.length })} description={<ul style={{ margin: 0, maxHeight: 160, overflow: 'auto' }}>{failures.map((f) => <li key={f}>{f}</li>)}</ul>} />}
      </Form>
    </Modal>
  );
}
