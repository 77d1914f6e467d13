import type { FieldDef, FormDef, RecordItem } from '../api/types.ts';
import { cellText, type CellContext } from '../renderer/cellText.ts';

/** The field that names a record on cards: the first single-line text or serial, else the first data field. */
export function titleField(form: FormDef): FieldDef | undefined {
  return form.fields.find((f) => f.type === 'text' || f.type === 'serial') ?? form.fields.find((f) => !['divider', 'description', 'query', 'subform'].includes(f.type));
}

export function cardTitle(form: FormDef, record: RecordItem, lang: string, ctx: CellContext): string {
  const f = titleField(form);
  return (f && cellText(f, record.data[f.id], lang, ctx)) || record.id;
}
