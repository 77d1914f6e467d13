import { expect, test } from 'vitest';
import { labelOf, localize } from '../src/index.ts';

test('labelOf picks the language, falls back to the other one, then to the id', () => {
  const field = { id: 'amount', label: { 'zh-CN': '金额', en: 'Amount' } };
  expect(labelOf(field, 'zh-CN')).toBe('金额');
  expect(labelOf(field, 'en')).toBe('Amount');
  expect(labelOf(field, 'en-US')).toBe('Amount');
  expect(labelOf(field, 'zh')).toBe('金额');
  expect(labelOf(field)).toBe('金额');
  expect(labelOf({ id: 'a', label: { 'zh-CN': '甲' } }, 'en')).toBe('甲');
  expect(labelOf({ id: 'a', label: { en: 'A', 'zh-CN': '' } }, 'zh-CN')).toBe('A');
  expect(labelOf({ id: 'a', label: 'Plain' }, 'en')).toBe('Plain');
  expect(labelOf({ id: 'a' }, 'en')).toBe('a');
});

test('localize handles missing text', () => {
  expect(localize(undefined)).toBeUndefined();
  expect(localize({}, 'en')).toBeUndefined();
});
