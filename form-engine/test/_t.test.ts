import { test, expect } from 'vitest';
import { checkFormDefinition, validateRecord } from '../src/index.ts';
import { everyTypeForm, validRecord } from './fixtures.ts';
test('fixture', () => {
  const r = checkFormDefinition(everyTypeForm);
  expect(r.ok ? [] : r.errors).toEqual([]);
  expect(validateRecord(everyTypeForm, validRecord()).errors).toEqual([]);
});
