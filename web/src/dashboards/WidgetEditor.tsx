import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Col, Divider, Form, Input, InputNumber, Modal, Row, Segmented, Select, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAllForms, useForm } from '../api/queries.ts';
import type { Condition, FieldDef } from '../api/types.ts';
import { ConditionBuilder, pruneCondition } from '../fields/ConditionBuilder.tsx';
import { NO_DATA_TYPES, NUMERIC_TYPES } from '../fields/fieldTypes.ts';
import { localize } from '../lib/localize.ts';
import { BUCKETS, GRID_COLUMNS, GROUP_LIMITS, isLedger, METRIC_OPS, metricKey, groupKey, NUMERIC_OPS, WIDGET_TYPES, type Bucket, type GroupBySpec, type MetricOp, type MetricSpec, type WidgetDef, type WidgetType } from './model.ts';

const DATE_TYPES = new Set(['date', 'datetime']);
/** Fields with few distinct values: the natural first group of a chart. */
const CATEGORY_TYPES = new Set(['select', 'radio', 'checkbox', 'multiselect', 'member', 'members', 'department', 'departments']);
const UNGROUPABLE = new Set(['subform', 'attachment', 'image', 'signature', 'location', 'address', 'textarea']);

function titleParts(title: WidgetDef['title']): { zh: string; en: string } {
  if (!title) return { zh: '', en: '' };
  if (typeof title === 'string') return { zh: title, en: '' };
  return { zh: title['zh-CN'] ?? '', en: title.en ?? '' };
}

/** Group-by choices: the form's fields and its subforms' columns (`items.product`), and the system dates. */
function groupable(fields: FieldDef[], lang: string) {
  const out: { value: string; label: string; date: boolean; category: boolean }[] = [];
  for (const f of fields) {
    if (NO_DATA_TYPES.has(f.type)) continue;
    if (f.type === 'subform') {
      for (const c of f.fields ?? []) if (!UNGROUPABLE.has(c.type)) out.push({ value: `${f.id}.${c.id}`, label: `${localize(f.label, lang)} · ${localize(c.label, lang)}`, date: DATE_TYPES.has(c.type), category: CATEGORY_TYPES.has(c.type) });
    } else if (!UNGROUPABLE.has(f.type)) out.push({ value: f.id, label: localize(f.label, lang) || f.id, date: DATE_TYPES.has(f.type), category: CATEGORY_TYPES.has(f.type) });
  }
  return out;
}

function numeric(fields: FieldDef[], lang: string) {
  const out: { value: string; label: string }[] = [];
  for (const f of fields) {
    if (NUMERIC_TYPES.has(f.type) || f.type === 'formula') out.push({ value: f.id, label: localize(f.label, lang) || f.id });
    if (f.type === 'subform') for (const c of f.fields ?? []) if (NUMERIC_TYPES.has(c.type) || c.type === 'formula') out.push({ value: `${f.id}.${c.id}`, label: `${localize(f.label, lang)} · ${localize(c.label, lang)}` });
  }
  return out;
}

/** Adds or edits one widget: type, source form, groups, metrics, filter, sort, size and place. */
export function WidgetEditor({ initial, appId, onSave, onCancel }: { initial: WidgetDef; appId: string; onSave: (w: WidgetDef) => void; onCancel: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [draft, setDraft] = useState<WidgetDef>(initial);
  const [title, setTitle] = useState(titleParts(initial.title));
  const [problem, setProblem] = useState<string | null>(null);
  const { forms } = useAllForms();
  const formId = isLedger(draft.source) ? undefined : draft.source.formId;
  const form = useForm(formId || undefined);
  const fields = form.data?.fields ?? [];
  const groupChoices = groupable(fields, lang);
  const numberChoices = numeric(fields, lang);
  const allChoices = groupChoices.map(({ value, label }) => ({ value, label }));
  const [minGroups, maxGroups] = GROUP_LIMITS[draft.type];
  const groups = draft.groupBy ?? [];
  const metrics = draft.metrics ?? [];
  const set = (patch: Partial<WidgetDef>) => setDraft((d) => ({ ...d, ...patch }));

  // A chart needs a group to draw: once the source's fields are known, start with its first category-like field.
  const firstGroup = groupChoices.find((c) => c.category) ?? groupChoices.find((c) => !c.date) ?? groupChoices[0];
  useEffect(() => {
    if (firstGroup && groups.length < minGroups) setDraft((d) => ({ ...d, groupBy: [...(d.groupBy ?? []), { field: firstGroup.value }] }));
  }, [firstGroup?.value, groups.length, minGroups]); // eslint-disable-line react-hooks/exhaustive-deps

  const setType = (type: WidgetType) => {
    const [, max] = GROUP_LIMITS[type];
    const keptGroups = groups.slice(0, max);
    set({
      type,
      groupBy: type === 'table' || type === 'metric' ? undefined : keptGroups.length ? keptGroups : firstGroup ? [{ field: firstGroup.value }] : [],
      metrics: type === 'table' ? undefined : metrics.length ? metrics : [{ op: 'count' }],
      columns: type === 'table' ? draft.columns : undefined,
      sort: undefined,
    });
  };

  const save = () => {
    if (!formId && !isLedger(draft.source)) return setProblem(t('dashboards.editor.needSource'));
    if (groups.length < minGroups || groups.length > maxGroups) return setProblem(t('dashboards.editor.groupCount', { min: minGroups, max: maxGroups }));
    if (draft.type !== 'table' && !metrics.length) return setProblem(t('dashboards.editor.needMetric'));
    if (metrics.some((m) => m.op !== 'count' && !m.field)) return setProblem(t('dashboards.editor.metricField'));
    const name = title.zh.trim() || title.en.trim() ? (title.en.trim() ? { 'zh-CN': title.zh.trim() || title.en.trim(), en: title.en.trim() } : title.zh.trim()) : undefined;
    const filter = pruneCondition(draft.filter);
    const out: WidgetDef = { ...draft, title: name, filter };
    for (const k of Object.keys(out) as (keyof WidgetDef)[]) if (out[k] === undefined) delete out[k];
    onSave(out);
  };

  const sortOptions = draft.type === 'table'
    ? [
        { value: '-createdAt', label: t('dashboards.editor.newestFirst') },
        ...allChoices.flatMap((c) => [
          { value: c.value, label: `${c.label} ↑` },
          { value: `-${c.value}`, label: `${c.label} ↓` },
        ]),
      ]
    : [
        ...metrics.flatMap((m) => [
          { value: `-${metricKey(m)}`, label: `${t(`dashboards.ops.${m.op}`)}${m.field ? ` · ${m.field}` : ''} ↓` },
          { value: metricKey(m), label: `${t(`dashboards.ops.${m.op}`)}${m.field ? ` · ${m.field}` : ''} ↑` },
        ]),
        ...groups.map((g) => ({ value: groupKey(g), label: `${allChoices.find((c) => c.value === g.field)?.label ?? g.field} ↑` })),
      ];

  return (
    <Modal open title={t('dashboards.editor.widget')} onCancel={onCancel} onOk={save} okText={t('common.save')} cancelText={t('common.cancel')} width={760} destroyOnHidden>
      <Form layout="vertical" size="small" data-testid="widget-editor">
        {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 12 }} />}
        <Form.Item label={t('dashboards.editor.type')}>
          <Segmented value={draft.type} onChange={(v) => setType(v as WidgetType)} options={WIDGET_TYPES.map((type) => ({ value: type, label: t(`dashboards.types.${type}`) }))} />
        </Form.Item>
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item label={t('dashboards.editor.titleZh')}>
              <Input aria-label={t('dashboards.editor.titleZh')} value={title.zh} onChange={(e) => setTitle({ ...title, zh: e.target.value })} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item label={t('dashboards.editor.titleEn')}>
              <Input aria-label={t('dashboards.editor.titleEn')} value={title.en} onChange={(e) => setTitle({ ...title, en: e.target.value })} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item label={t('dashboards.editor.source')}>
          {isLedger(draft.source) ? (
            <Typography.Text>{t('dashboards.editor.ledgerSource', { id: draft.source.ledgerId })}</Typography.Text>
          ) : (
            <Select
              aria-label={t('dashboards.editor.source')}
              showSearch={{ optionFilterProp: 'label' }}
              value={formId || undefined}
              options={[...forms].sort((a, b) => Number(b.appId === appId) - Number(a.appId === appId)).map((f) => ({ value: f.id, label: `${localize(f.appName, lang)} / ${localize(f.name, lang)}` }))}
              onChange={(id: string) => set({ source: { formId: id }, groupBy: draft.type === 'table' || draft.type === 'metric' ? undefined : [], metrics: draft.type === 'table' ? undefined : [{ op: 'count' }], filter: undefined, columns: undefined, sort: undefined })}
            />
          )}
        </Form.Item>

        {maxGroups > 0 && (
          <Form.Item label={t('dashboards.editor.groupBy')}>
            <Space orientation="vertical" style={{ width: '100%' }}>
              {groups.map((g, i) => {
                const choice = groupChoices.find((c) => c.value === g.field);
                const replace = (next: GroupBySpec) => set({ groupBy: groups.map((old, j) => (j === i ? next : old)) });
                return (
                  <Space key={i} wrap>
                    <Select aria-label={`${t('dashboards.editor.groupBy')} ${i + 1}`} style={{ minWidth: 220 }} showSearch={{ optionFilterProp: 'label' }} value={g.field} options={allChoices} onChange={(field: string) => replace({ field, ...(groupChoices.find((c) => c.value === field)?.date ? { bucket: 'month' as Bucket } : {}) })} />
                    {choice?.date && (
                      <Select aria-label={`${t('dashboards.editor.bucket')} ${i + 1}`} style={{ width: 110 }} allowClear value={g.bucket} options={BUCKETS.map((b) => ({ value: b, label: t(`dashboards.buckets.${b}`) }))} onChange={(bucket: Bucket | undefined) => replace({ field: g.field, ...(bucket ? { bucket } : {}) })} />
                    )}
                    <Button type="text" danger icon={<DeleteOutlined />} aria-label={`${t('common.delete')} ${i + 1}`} onClick={() => set({ groupBy: groups.filter((_, j) => j !== i) })} />
                  </Space>
                );
              })}
              {groups.length < maxGroups && (
                <Button size="small" icon={<PlusOutlined />} disabled={!groupChoices.length} onClick={() => set({ groupBy: [...groups, { field: groupChoices[0].value }] })}>
                  {t('dashboards.editor.addGroup')}
                </Button>
              )}
            </Space>
          </Form.Item>
        )}

        {draft.type !== 'table' && (
          <Form.Item label={t('dashboards.editor.metrics')}>
            <Space orientation="vertical" style={{ width: '100%' }}>
              {metrics.map((m, i) => {
                const replace = (next: MetricSpec) => set({ metrics: metrics.map((old, j) => (j === i ? next : old)) });
                const fieldChoices = NUMERIC_OPS.has(m.op) ? numberChoices : allChoices;
                return (
                  <Space key={i} wrap>
                    <Select aria-label={`${t('dashboards.editor.op')} ${i + 1}`} style={{ width: 130 }} value={m.op} options={METRIC_OPS.map((op) => ({ value: op, label: t(`dashboards.ops.${op}`) }))} onChange={(op: MetricOp) => replace(op === 'count' ? { op } : { op, field: (NUMERIC_OPS.has(op) ? numberChoices : allChoices).some((c) => c.value === m.field) ? m.field : undefined })} />
                    {m.op !== 'count' && <Select aria-label={`${t('dashboards.editor.metricOf')} ${i + 1}`} style={{ minWidth: 200 }} value={m.field} options={fieldChoices} onChange={(field: string) => replace({ op: m.op, field })} />}
                    {metrics.length > 1 && <Button type="text" danger icon={<DeleteOutlined />} aria-label={`${t('common.delete')} ${i + 1}`} onClick={() => set({ metrics: metrics.filter((_, j) => j !== i) })} />}
                  </Space>
                );
              })}
              {draft.type !== 'metric' && draft.type !== 'pie' && draft.type !== 'funnel' && (
                <Button size="small" icon={<PlusOutlined />} onClick={() => set({ metrics: [...metrics, { op: 'count' }] })}>
                  {t('dashboards.editor.addMetric')}
                </Button>
              )}
            </Space>
          </Form.Item>
        )}

        {draft.type === 'table' && (
          <Form.Item label={t('dashboards.editor.columns')}>
            <Select aria-label={t('dashboards.editor.columns')} mode="multiple" value={draft.columns ?? []} options={fields.filter((f) => !NO_DATA_TYPES.has(f.type) && f.type !== 'subform').map((f) => ({ value: f.id, label: localize(f.label, lang) || f.id }))} onChange={(columns: string[]) => set({ columns: columns.length ? columns : undefined })} />
          </Form.Item>
        )}

        <Row gutter={12}>
          <Col span={12}>
            <Form.Item label={t('dashboards.editor.sort')}>
              <Select aria-label={t('dashboards.editor.sort')} allowClear value={draft.sort} options={sortOptions} onChange={(sort: string | undefined) => set({ sort })} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item label={t('dashboards.editor.limit')}>
              <InputNumber aria-label={t('dashboards.editor.limit')} min={1} max={draft.type === 'table' ? 50 : 10000} value={draft.limit} onChange={(limit) => set({ limit: limit ?? undefined })} />
            </Form.Item>
          </Col>
        </Row>

        {fields.length > 0 && (
          <Form.Item label={t('dashboards.editor.filter')}>
            <ConditionBuilder value={draft.filter} fields={fields} onChange={(filter: Condition) => set({ filter })} />
          </Form.Item>
        )}

        <Divider titlePlacement="start" plain>
          {t('dashboards.editor.layout')}
        </Divider>
        <Space wrap>
          {(['x', 'y', 'w', 'h'] as const).map((k) => (
            <Space key={k} size={4}>
              <Typography.Text type="secondary">{t(`dashboards.editor.layoutFields.${k}`)}</Typography.Text>
              <InputNumber
                aria-label={t(`dashboards.editor.layoutFields.${k}`)}
                min={k === 'w' || k === 'h' ? 1 : 0}
                max={k === 'w' ? GRID_COLUMNS : k === 'x' ? GRID_COLUMNS - 1 : 100}
                precision={0}
                value={draft.layout[k]}
                onChange={(v) => set({ layout: { ...draft.layout, [k]: v ?? draft.layout[k] } })}
                style={{ width: 70 }}
              />
            </Space>
          ))}
        </Space>
      </Form>
    </Modal>
  );
}
