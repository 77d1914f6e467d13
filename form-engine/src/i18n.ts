export type Lang = 'zh-CN' | 'en';
export type LocalizedText = string | { readonly 'zh-CN'?: string; readonly en?: string };

/** Picks the text for `lang`, falling back to the other language so a half-translated form still reads. */
export function localize(text: LocalizedText | undefined, lang: string = 'zh-CN'): string | undefined {
  if (text === undefined) return undefined;
  if (typeof text === 'string') return text;
  const wanted: Lang = lang.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
  const other: Lang = wanted === 'en' ? 'zh-CN' : 'en';
  return text[wanted] || text[other] || undefined;
}

/** The display label of a field (or column, or form-like object with a label), never empty: falls back to the id. */
export function labelOf(field: { readonly id?: string; readonly label?: LocalizedText }, lang: string = 'zh-CN'): string {
  return localize(field.label, lang) || field.id || '';
}
