import { Checkbox, Input, Modal, Radio, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FieldDef, FormDef, RecordItem } from '../api/types.ts';
import { NO_DATA_TYPES } from '../fields/fieldTypes.ts';
import { localize } from '../lib/localize.ts';
import { cellText, type CellContext } from '../renderer/cellText.ts';

export interface PrintTemplate {
  title?: string;
  fields?: string[];
  columns?: 1 | 2;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function valueHtml(field: FieldDef, value: unknown, lang: string, ctx: CellContext): string {
  if (field.type === 'subform' && Array.isArray(value)) {
    const cols = field.fields ?? [];
    const head = cols.map((c) => `<th>${escapeHtml(localize(c.label, lang))}</th>`).join('');
    const body = (value as Record<string, unknown>[]).map((row) => `<tr>${cols.map((c) => `<td>${escapeHtml(cellText(c, row[c.id], lang, ctx))}</td>`).join('')}</tr>`).join('');
    return `<table class="sub"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  }
  if ((field.type === 'image' || field.type === 'signature') && value) {
    const files = Array.isArray(value) ? value : [value];
    return files.map((f) => `<img src="${escapeHtml(String((f as { url?: string }).url ?? ''))}" style="max-height:90px;margin-right:6px">`).join('');
  }
  return escapeHtml(cellText(field, value, lang, ctx));
}

/** Renders the print layout into a hidden frame and opens the browser's print dialog (which also saves PDF). */
export function printRecord(form: FormDef, record: RecordItem, template: PrintTemplate, lang: string, ctx: CellContext): void {
  const fields = form.fields.filter((f) => (template.fields ? template.fields.includes(f.id) : !NO_DATA_TYPES.has(f.type)));
  const two = template.columns === 2;
  const cells = fields.map((f) => {
    const wide = f.type === 'subform' || !two;
    return `<div class="cell${wide ? ' wide' : ''}"><div class="label">${escapeHtml(localize(f.label, lang))}</div><div class="value">${valueHtml(f, record.data[f.id], lang, ctx)}</div></div>`;
  });
  const title = escapeHtml(template.title || localize(form.name, lang));
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><style>
    body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#111}
    h1{font-size:20px;margin:0 0 4px} .meta{color:#666;font-size:12px;margin-bottom:16px}
    .grid{display:grid;grid-template-columns:${two ? '1fr 1fr' : '1fr'};border-top:1px solid #999;border-left:1px solid #999}
    .cell{display:flex;border-right:1px solid #999;border-bottom:1px solid #999}.cell.wide{grid-column:1/-1}
    .label{width:120px;flex:none;background:#f3f3f3;padding:6px 8px;font-weight:600}.value{padding:6px 8px;white-space:pre-wrap;flex:1}
    table.sub{border-collapse:collapse;width:100%}table.sub td,table.sub th{border:1px solid #bbb;padding:3px 6px;font-size:12px}
  </style></head><body><h1>${title}</h1><div class="meta">${escapeHtml(record.id)} · ${escapeHtml(record.createdAt ?? '')}</div><div class="grid">${cells.join('')}</div></body></html>`;
  const frame = document.createElement('iframe');
  frame.setAttribute('aria-hidden', 'true');
  frame.style.position = 'fixed';
  frame.style.right = '0';
  frame.style.bottom = '0';
  frame.style.width = '0';
  frame.style.height = '0';
  frame.style.border = '0';
  document.body.appendChild(frame);
  const doc = frame.contentDocument!;
  doc.open();
  doc.write(html);
  doc.close();
  const run = () => {
    frame.contentWindow?.focus();
    frame.contentWindow?.print();
    setTimeout(() => frame.remove(), 1000);
  };
  // Images must load before printing or they come out blank.
  const images = Array.from(doc.images);
  if (!images.length) run();
  else void Promise.all(images.map((img) => (img.complete ? null : new Promise((r) => ((img.onload = r), (img.onerror = r)))))).then(run);
}

const templateKey = (formId: string) => `qiao.print.${formId}`;

export function loadPrintTemplate(form: FormDef): PrintTemplate {
  const fromForm = form.settings?.printTemplate as PrintTemplate | undefined;
  try {
    return JSON.parse(localStorage.getItem(templateKey(form.id)) ?? 'null') ?? fromForm ?? {};
  } catch {
    return fromForm ?? {};
  }
}

export function PrintDialog({ open, form, record, ctx, onClose }: { open: boolean; form: FormDef; record: RecordItem; ctx: CellContext; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const [template, setTemplate] = useState<PrintTemplate>(() => loadPrintTemplate(form));
  const dataFields = form.fields.filter((f) => !NO_DATA_TYPES.has(f.type));
  const chosen = template.fields ?? dataFields.map((f) => f.id);
  return (
    <Modal
      open={open}
      title={t('print.title')}
      okText={t('print.print')}
      onCancel={onClose}
      onOk={() => {
        localStorage.setItem(templateKey(form.id), JSON.stringify(template));
        printRecord(form, record, template, i18n.language, ctx);
        onClose();
      }}
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Input aria-label={t('print.heading')} placeholder={localize(form.name, i18n.language)} value={template.title ?? ''} onChange={(e) => setTemplate({ ...template, title: e.target.value || undefined })} addonBefore={t('print.heading')} />
        <Radio.Group
          value={template.columns ?? 1}
          onChange={(e) => setTemplate({ ...template, columns: e.target.value })}
          options={[
            { value: 1, label: t('designer.oneColumn') },
            { value: 2, label: t('designer.twoColumns') },
          ]}
          optionType="button"
        />
        <Checkbox.Group
          value={chosen}
          onChange={(fields) => setTemplate({ ...template, fields: fields as string[] })}
          options={dataFields.map((f) => ({ value: f.id, label: localize(f.label, i18n.language) }))}
        />
      </Space>
    </Modal>
  );
}
