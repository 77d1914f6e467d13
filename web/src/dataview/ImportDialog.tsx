import { InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Checkbox, Modal, Result, Select, Space, Steps, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, apiUpload } from '../api/client.ts';
import type { FieldDef, FormDef, ImportReport } from '../api/types.ts';
import { COMPUTED_TYPES, NO_DATA_TYPES } from '../fields/fieldTypes.ts';
import { errorMessage } from '../layout/States.tsx';
import { localize, useLocalize } from '../lib/localize.ts';
import { readHeaders } from './spreadsheet.ts';
import { validationMessage } from '../renderer/validationMessage.ts';

type RowError = NonNullable<ImportReport['errors']>[number];

interface ImportTarget {
  key: string;
  names: string[];
  label: (lang: string) => string;
}

/** Where a column can go: a top-level field, or a subform column as `subform.column` (one file row per subform row). */
export function importTargets(form: FormDef): ImportTarget[] {
  const names = (f: FieldDef) => [f.id, localize(f.label, 'zh-CN'), localize(f.label, 'en')];
  return form.fields.flatMap((f): ImportTarget[] => {
    if (NO_DATA_TYPES.has(f.type) || COMPUTED_TYPES.has(f.type)) return [];
    if (f.type !== 'subform') return [{ key: f.id, names: names(f), label: (lang) => localize(f.label, lang) }];
    return (f.fields ?? [])
      .filter((c) => !COMPUTED_TYPES.has(c.type))
      .map((c) => ({
        key: `${f.id}.${c.id}`,
        names: [`${f.id}.${c.id}`, ...['zh-CN', 'en'].map((lang) => `${localize(f.label, lang)}.${localize(c.label, lang)}`)],
        label: (lang) => `${localize(f.label, lang)}.${localize(c.label, lang)}`,
      }));
  });
}

/** Matches a column header to a field by label (either language) or id. */
export function guessMapping(headers: string[], form: FormDef): Record<string, string> {
  const mapping: Record<string, string> = {};
  const targets = importTargets(form);
  for (const header of headers) {
    const h = header.trim().toLowerCase();
    const target = targets.find((t) => t.names.some((name) => name.trim().toLowerCase() === h));
    if (target) mapping[header] = target.key;
  }
  return mapping;
}

/** Import 导入: upload a workbook, map its columns to fields, then read the server's per-row report. */
export function ImportDialog({ form, open, onClose, onImported }: { form: FormDef; open: boolean; onClose: () => void; onImported: () => void }) {
  const { t, i18n } = useTranslation();
  const l = useLocalize();
  const [step, setStep] = useState(0);
  const [file, setFile] = useState<File | null>(null);
  const [headers, setHeaders] = useState<string[]>([]);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [partial, setPartial] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<{ ok: boolean; imported?: number; total?: number; errors: RowError[] } | null>(null);

  const reset = () => {
    setStep(0);
    setFile(null);
    setHeaders([]);
    setMapping({});
    setReport(null);
    setError(null);
    setPartial(false);
  };
  const close = () => {
    reset();
    onClose();
  };

  const pick = async (picked: File) => {
    setError(null);
    try {
      const found = await readHeaders(picked);
      if (!found.length) throw new Error(t('import.noHeaders'));
      setFile(picked);
      setHeaders(found);
      setMapping(guessMapping(found, form));
      setStep(1);
    } catch (err) {
      setError(errorMessage(err, t));
    }
  };

  const submit = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const body = new FormData();
      body.append('mapping', JSON.stringify(mapping));
      body.append('lang', i18n.language);
      if (partial) body.append('partial', 'true');
      body.append('file', file, file.name);
      const answer = await apiUpload<ImportReport>(`/forms/${form.id}/import`, body);
      setReport({ ok: !(answer.errors?.length), imported: answer.imported, total: answer.total, errors: answer.errors ?? [] });
      onImported();
    } catch (err) {
      if (err instanceof ApiError && err.errors.length) {
        setReport({ ok: false, imported: (err.body.imported as number | undefined) ?? 0, total: err.body.total as number | undefined, errors: err.errors as RowError[] });
      } else setError(errorMessage(err, t));
    } finally {
      setBusy(false);
      setStep(2);
    }
  };

  const targets = importTargets(form);
  const fieldLabel = (e: RowError) => {
    const f = form.fields.find((x) => x.id === e.field);
    const column = e.column ? f?.fields?.find((c) => c.id === e.column) : undefined;
    if (!f) return e.field ?? e.column ?? '';
    return column ? `${l(f.label)}.${l(column.label)}${e.subformRow !== undefined ? ` #${e.subformRow + 1}` : ''}` : l(f.label);
  };

  return (
    <Modal open={open} title={t('import.title')} onCancel={close} footer={null} width={760} destroyOnHidden>
      <Steps current={step} size="small" style={{ marginBottom: 16 }} items={[{ title: t('import.stepUpload') }, { title: t('import.stepMap') }, { title: t('import.stepReport') }]} />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} role="alert" />}
      {step === 0 && (
        <div data-testid="import-upload">
        <Upload.Dragger
          accept=".xlsx,.csv"
          showUploadList={false}
          beforeUpload={(f) => {
            void pick(f);
            return false;
          }}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p>{t('import.drop')}</p>
          <Typography.Text type="secondary">{t('import.formats')}</Typography.Text>
        </Upload.Dragger>
        </div>
      )}
      {step === 1 && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Text>{t('import.mapHint', { name: file?.name })}</Typography.Text>
          <Table
            size="small"
            pagination={false}
            rowKey={(h) => h}
            dataSource={headers}
            data-testid="import-mapping"
            columns={[
              { key: 'column', title: t('import.column'), render: (_, h) => h },
              {
                key: 'field',
                title: t('import.field'),
                render: (_, h) => (
                  <Select
                    aria-label={t('import.mapColumn', { column: h })}
                    allowClear
                    style={{ width: 240 }}
                    placeholder={t('import.skip')}
                    value={mapping[h]}
                    onChange={(id?: string) => {
                      const next = { ...mapping };
                      if (id) next[h] = id;
                      else delete next[h];
                      setMapping(next);
                    }}
                    options={targets.map((target) => ({ value: target.key, label: target.label(i18n.language) }))}
                  />
                ),
              },
            ]}
          />
          <Checkbox checked={partial} onChange={(e) => setPartial(e.target.checked)}>
            {t('import.partial')}
          </Checkbox>
          <Space>
            <Button onClick={reset}>{t('common.back')}</Button>
            <Button type="primary" loading={busy} onClick={() => void submit()} disabled={!Object.keys(mapping).length}>
              {t('import.start')}
            </Button>
          </Space>
        </Space>
      )}
      {step === 2 && report && (
        <div data-testid="import-report">
          <Result
            status={report.ok ? 'success' : report.imported ? 'warning' : 'error'}
            title={report.ok ? t('import.done', { count: report.imported ?? 0 }) : t('import.hasErrors', { count: report.errors.length })}
            subTitle={report.ok ? undefined : report.imported ? t('import.partialDone', { count: report.imported }) : t('import.nothingImported')}
          />
          {report.errors.length > 0 && (
            <Table
              size="small"
              rowKey={(_, i) => String(i)}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              dataSource={report.errors}
              columns={[
                { key: 'row', title: t('import.row'), width: 80, render: (_, e) => e.row },
                { key: 'field', title: t('import.field'), width: 160, render: (_, e) => fieldLabel(e) },
                { key: 'message', title: t('import.message'), render: (_, e) => (e.field && form.fields.some((f) => f.id === e.field) ? validationMessage({ ...e, field: e.field, row: e.subformRow }, form, i18n.language, t) : e.message) },
              ]}
            />
          )}
          <Space style={{ marginTop: 12 }}>
            <Button onClick={reset}>{t('import.again')}</Button>
            <Button type="primary" onClick={close}>
              {t('common.close')}
            </Button>
          </Space>
        </div>
      )}
    </Modal>
  );
}
