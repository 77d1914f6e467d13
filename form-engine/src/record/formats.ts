import { isDateString, isDateTimeString } from '../time.ts';

const EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
/** Mainland mobile: 1[3-9] and 9 more digits, optionally written with +86. */
const MOBILE = /^(?:\+86[- ]?)?1[3-9]\d{9}$/;
/** Mainland landline: area code 0xx or 0xxx, 7-8 digits, optional extension: 010-12345678, 0755-1234567-801. */
const LANDLINE = /^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$/;
/** E.164-ish: + country code and subscriber number, 8-15 digits in all, spaces or hyphens allowed as separators. */
const INTERNATIONAL = /^\+[1-9][\d -]{6,20}$/;

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

export function isMobilePhone(value: string): boolean {
  return MOBILE.test(value);
}

export function isLandlinePhone(value: string): boolean {
  return LANDLINE.test(value);
}

export function isInternationalPhone(value: string): boolean {
  if (!INTERNATIONAL.test(value) || /[- ]{2}|[- ]$/.test(value)) return false;
  const digits = value.replace(/\D/g, '').length;
  return digits >= 8 && digits <= 15;
}

export function isAnyPhone(value: string): boolean {
  return isMobilePhone(value) || isLandlinePhone(value) || isInternationalPhone(value);
}

/** File links a browser may follow safely: http(s) or a same-site path (never javascript: or data:). */
export function isFileUrl(value: string): boolean {
  return value.length <= 2048 && /^(?:https?:\/\/[^\s]+|\/(?!\/)[^\s]*)$/i.test(value);
}

export const SIGNATURE_DATA_URL = '^data:image/(?:png|jpeg|webp);base64,[A-Za-z0-9+/]+={0,2}$';

const orEmpty = (check: (value: string) => boolean) => (value: string) => value === '' || check(value);

/**
 * Format name → check, registered on the engine's record ajv instance. "" passes: it is the empty value, which
 * `required` judges; accepting it here spares every field an if/then wrapper, which halves compile time.
 */
export const FORMATS: Record<string, (value: string) => boolean> = {
  date: orEmpty(isDateString),
  'date-time': orEmpty(isDateTimeString),
  email: orEmpty(isEmail),
  'phone-mobile': orEmpty(isMobilePhone),
  'phone-landline': orEmpty(isLandlinePhone),
  'phone-any': orEmpty(isAnyPhone),
  'file-url': isFileUrl,
};
