import { useTranslation } from 'react-i18next';
import type { Localized } from '../api/types.ts';

/** Picks the text for the current language from a plain string or a { zh-CN, en } pair. */
export function localize(value: Localized | undefined | null, lang: string): string {
  if (value == null) return '';
  if (typeof value === 'string') return value;
  const preferred = lang === 'en' ? value.en : value['zh-CN'];
  return preferred ?? value['zh-CN'] ?? value.en ?? '';
}

export function useLocalize(): (value: Localized | undefined | null) => string {
  const { i18n } = useTranslation();
  return (value) => localize(value, i18n.language);
}
