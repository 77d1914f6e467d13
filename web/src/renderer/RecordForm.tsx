import { Alert, Button, Col, Divider, Form, Row, Space, Typography } from 'antd';
import { useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, type FieldError } from '../api/client.ts';
import type { FieldDef, FieldPermission, FormDef } from '../api/types.ts';
import { useAuth } from '../auth/AuthProvider.tsx';
import { computeLive, initialData, validateLive } from '../engine/engine.ts';
import { useLinkage } from './useLinkage.ts';
import { validationMessage } from './validationMessage.ts';
import { COMPUTED_TYPES, NO_DATA_TYPES } from '../fields/fieldTypes.ts';
import { errorMessage } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import { FieldInput } from './FieldInput.tsx';
import { QueryList } from './QueryList.tsx';
import { SubformGrid, type Row as SubRow } from './SubformGrid.tsx';

type Data = Record<string, unknown>;

const WIDE_TYPES = new Set(['subform', 'textarea', 'divider', 'description', 'query', 'address', 'signature', 'image', 'attachment', 'location']);

/** Server errors name subform cells either as `{ field, row, column }` or as a dotted path; both land on the same key. */
export function errorKey(e: Pick<FieldError, 'field' | 'row' | 'column'>): string {
  if (e.row !== undefined && e.column) return `${e.field}.${e.row}.${e.column}`;
  const path = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\]|\.(\d+))\.?([A-Za-z_][A-Za-z0-9_]*)$/.exec(e.field);
  if (path) return `${path[1]}.${path[2] ?? path[3]}.${path[4]}`;
  return e.field.replace(/^\/?data[./]/, '');
}

/** Only what the user may write: computed and hidden fields are left for the server. */
export function submittable(form: FormDef, data: Data, hidden: Set<string>, permissions?: Record<string, FieldPermission>): Data {
  const out: Data = {};
  for (const field of form.fields) {
    if (NO_DATA_TYPES.has(field.type) || COMPUTED_TYPES.has(field.type) || hidden.has(field.id)) continue;
    const permission = permissions?.[field.id];
    if (permission === 'hidden' || permission === 'read') continue;
    const value = data[field.id];
    if (value === undefined) continue;
    if (field.type === 'subform' && Array.isArray(value)) {
      const writable = (field.fields ?? []).filter((c) => !COMPUTED_TYPES.has(c.type));
      out[field.id] = value.map((row: Data) => Object.fromEntries(writable.filter((c) => row[c.id] !== undefined).map((c) => [c.id, row[c.id]])));
    } else {
      out[field.id] = value;
    }
  }
  return out;
}

export interface RecordFormProps {
  form: FormDef;
  initial?: Data;
  preview?: boolean;
  readOnly?: boolean;
  permissions?: Record<string, FieldPermission>;
  submitText?: string;
  onSubmit: (data: Data) => Promise<unknown>;
  extraActions?: ReactNode;
}

export function RecordForm({ form, initial, preview, readOnly, permissions, submitText, onSubmit, extraActions }: RecordFormProps) {
  const { t, i18n } = useTranslation();
  const l = useLocalize();
  const { me } = useAuth();
  const [data, setData] = useState<Data>(() => initial ?? initialData(form));
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldError[]>([]);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);

  const userId = me?.user.id;
  const live = useMemo(() => computeLive(form, data, userId), [form, data, userId]);
  const clientErrors = useMemo(
    () => validateLive(form, live.data, live, i18n.language, userId).map((e) => ({ ...e, message: validationMessage(e, form, i18n.language, t) })),
    [form, live, i18n.language, userId, t],
  );
  useLinkage(form, data, setData, !initial);

  const messages = useMemo(() => {
    const map = new Map<string, string>();
    for (const e of serverErrors) map.set(errorKey(e), e.message);
    for (const e of clientErrors) {
      const top = e.field.split('.')[0];
      if (!attempted && !touched.has(top)) continue;
      const key = errorKey(e);
      if (!map.has(key)) map.set(key, e.message);
    }
    return map;
  }, [serverErrors, clientErrors, attempted, touched]);

  const setValue = (fieldId: string, value: unknown) => {
    setData((prev) => {
      const next = { ...prev };
      if (value === undefined) delete next[fieldId];
      else next[fieldId] = value;
      return next;
    });
    setServerErrors((prev) => prev.filter((e) => errorKey(e).split('.')[0] !== fieldId));
  };
  const touch = (fieldId: string) => setTouched((prev) => (prev.has(fieldId) ? prev : new Set(prev).add(fieldId)));

  const focusFirstError = (keysInOrder: string[]) => {
    requestAnimationFrame(() => {
      const first = keysInOrder[0];
      if (!first) return;
      const [top, row, column] = first.split('.');
      const id = row !== undefined ? `f_${top}-${row}-${column}` : `f_${top}`;
      const el = rootRef.current?.querySelector<HTMLElement>(`#${CSS.escape(id)}`) ?? rootRef.current?.querySelector<HTMLElement>(`[data-field="${CSS.escape(top)}"]`);
      el?.scrollIntoView({ block: 'center', behavior: 'smooth' });
      el?.focus?.();
    });
  };

  const visibleFields = form.fields.filter((f) => !live.hidden.has(f.id) && permissions?.[f.id] !== 'hidden');
  const order = (keys: string[]) => {
    const index = new Map(visibleFields.map((f, i) => [f.id, i]));
    return keys.sort((a, b) => (index.get(a.split('.')[0]) ?? 999) - (index.get(b.split('.')[0]) ?? 999));
  };

  const submit = async () => {
    setAttempted(true);
    setFormError(null);
    const blocking = clientErrors.filter((e) => !live.hidden.has(e.field.split('.')[0]));
    if (blocking.length) {
      focusFirstError(order(blocking.map(errorKey)));
      return;
    }
    setBusy(true);
    try {
      await onSubmit(submittable(form, live.data, live.hidden, permissions));
      setServerErrors([]);
    } catch (err) {
      if (err instanceof ApiError && err.errors.length) {
        setServerErrors(err.errors.map((e) => ({ ...e, message: validationMessage(e, form, i18n.language, t) })));
        const known = err.errors.filter((e) => form.fields.some((f) => f.id === errorKey(e).split('.')[0]));
        if (known.length < err.errors.length || !known.length) setFormError(errorMessage(err, t));
        focusFirstError(order(known.map(errorKey)));
      } else if (err instanceof ApiError && err.code === 'duplicate') {
        const field = String(err.body.field ?? '');
        setServerErrors(field ? [{ field, message: err.message }] : []);
        setFormError(errorMessage(err, t));
      } else {
        setFormError(errorMessage(err, t));
      }
    } finally {
      setBusy(false);
    }
  };

  const twoColumns = form.settings?.columns === 2;

  const renderField = (field: FieldDef): ReactNode => {
    const label = l(field.label) || field.id;
    const id = `f_${field.id}`;
    if (field.type === 'divider') return <Divider titlePlacement="start">{l(field.label)}</Divider>;
    if (field.type === 'description') return <Typography.Paragraph type="secondary" style={{ whiteSpace: 'pre-wrap' }}>{l(field.content) || label}</Typography.Paragraph>;
    const error = messages.get(field.id);
    const required = Boolean(field.required) || live.required.has(field.id);
    const disabled = readOnly || field.readOnly || permissions?.[field.id] === 'read';
    const formulaError = field.type === 'formula' ? live.formulaErrors.get(field.id) : undefined;
    const problem = error ?? formulaError;
    const help = problem ? (
      <span role="alert" id={`${id}-error`}>
        {problem}
      </span>
    ) : field.help ? (
      l(field.help)
    ) : undefined;
    let input: ReactNode;
    if (field.type === 'subform') {
      const rows = (data[field.id] as SubRow[] | undefined) ?? [];
      input = (
        <SubformGrid
          field={field}
          id={id}
          label={label}
          rows={rows}
          computedRows={(live.data[field.id] as SubRow[] | undefined) ?? rows}
          onChange={(next) => {
            setValue(field.id, next.length ? next : undefined);
            touch(field.id);
          }}
          errorFor={(row, column) => messages.get(`${field.id}.${row}.${column}`) ?? (live.formulaErrors.has(`${field.id}.${column}`) && attempted ? live.formulaErrors.get(`${field.id}.${column}`) : undefined)}
          requiredFor={(row, column) => Boolean(live.rowRequired.get(field.id)?.[row]?.has(column))}
          disabled={disabled}
        />
      );
    } else if (field.type === 'query') {
      input = <QueryList field={field} data={live.data} id={id} label={label} />;
    } else {
      input = (
        <FieldInput
          field={field}
          id={id}
          label={label}
          value={COMPUTED_TYPES.has(field.type) ? live.data[field.id] : data[field.id]}
          onChange={(v) => {
            setValue(field.id, v);
            if (!['text', 'textarea', 'phone', 'email', 'number', 'money'].includes(field.type)) touch(field.id);
          }}
          onBlur={() => touch(field.id)}
          disabled={disabled}
          invalid={Boolean(error)}
        />
      );
    }
    return (
      <Form.Item
        label={label}
        htmlFor={id}
        required={required && !COMPUTED_TYPES.has(field.type)}
        validateStatus={problem ? 'error' : undefined}
        help={help}
        data-field={field.id}
        data-testid={`field-${field.id}`}
      >
        {input}
      </Form.Item>
    );
  };

  return (
    <div ref={rootRef} style={{ background: '#fff', padding: 16, borderRadius: 8 }} data-testid="record-form">
      <Form layout="vertical" component="form" onFinish={() => void submit()} noValidate>
        {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} role="alert" data-testid="form-error" />}
        <Row gutter={16}>
          {visibleFields.map((field) => (
            <Col key={field.id} xs={24} md={twoColumns && !WIDE_TYPES.has(field.type) ? 12 : 24}>
              {renderField(field)}
            </Col>
          ))}
        </Row>
        {!readOnly && (
          <Space wrap>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="submit-record">
              {submitText ?? t('record.submit')}
            </Button>
            {extraActions}
            {preview && <Typography.Text type="secondary">{t('record.previewNote')}</Typography.Text>}
          </Space>
        )}
      </Form>
    </div>
  );
}
