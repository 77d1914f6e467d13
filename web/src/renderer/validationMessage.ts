import type { TFunction } from 'i18next';
import type { FieldDef, FormDef } from '../api/types.ts';

interface EngineError {
  field: string;
  row?: number;
  column?: string;
  message: string;
  code?: string;
}

function fieldOf(form: FormDef, e: EngineError): FieldDef | undefined {
  const top = form.fields.find((f) => f.id === e.field);
  return e.column ? top?.fields?.find((c) => c.id === e.column) : top;
}

/**
 * The engine words its messages in English; other languages get the message for the error's code, with the
 * field's own bounds, falling back to the engine's text for codes without a translation.
 */
export function validationMessage(e: EngineError, form: FormDef, lang: string, t: TFunction): string {
  if (lang === 'en' || !e.code) return e.message;
  const field = fieldOf(form, e);
  return t(`validation.${e.code}`, {
    defaultValue: e.message,
    min: field?.min ?? field?.minRows ?? field?.minLength ?? '',
    max: field?.max ?? field?.maxRows ?? field?.maxLength ?? '',
    precision: field?.precision ?? (field?.type === 'money' ? 2 : ''),
  });
}
