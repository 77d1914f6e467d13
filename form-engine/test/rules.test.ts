import { describe, expect, test } from 'vitest';
import { evaluateRules, validateRecord, type FormDefinition } from '../src/index.ts';

const form = {
  id: 'leave',
  version: 1,
  name: 'Leave request',
  fields: [
    { id: 'kind', type: 'radio', label: 'Kind', options: [{ value: 'sick', label: 'Sick' }, { value: 'annual', label: 'Annual' }, { value: 'other', label: 'Other' }] },
    { id: 'days', type: 'number', label: 'Days' },
    { id: 'certificate', type: 'attachment', label: 'Certificate', required: true, visibleWhen: { field: 'kind', op: 'eq', value: 'sick' } },
    { id: 'reason', type: 'textarea', label: 'Reason', requiredWhen: { field: 'kind', op: 'eq', value: 'other' } },
    { id: 'approver', type: 'member', label: 'Approver' },
    { id: 'handover', type: 'text', label: 'Handover', required: true },
    { id: 'budget', type: 'money', label: 'Budget' },
    { id: 'total', type: 'formula', label: 'Total', formula: 'days', required: true },
    {
      id: 'trips',
      type: 'subform',
      label: 'Trips',
      fields: [
        { id: 'mode', type: 'select', label: 'Mode', options: [{ value: 'car', label: 'Car' }, { value: 'train', label: 'Train' }] },
        { id: 'plate', type: 'text', label: 'Plate', required: true, visibleWhen: { field: 'mode', op: 'eq', value: 'car' } },
        { id: 'km', type: 'number', label: 'Km', requiredWhen: { and: [{ field: 'mode', op: 'eq', value: 'car' }, { field: 'days', op: 'gt', value: 1 }] } },
      ],
    },
  ],
  rules: [
    { when: { field: 'days', op: 'gt', value: 3 }, show: ['approver'], require: ['approver'] },
    { when: { field: 'kind', op: 'eq', value: 'annual' }, hide: ['handover'] },
    { when: { field: 'days', op: 'gte', value: 10 }, show: ['budget'] },
    { when: { field: 'approver', op: 'eq', value: { dynamic: 'currentUser' } }, show: ['budget'] },
  ],
} as const satisfies FormDefinition;

describe('evaluateRules', () => {
  test('visibleWhen: shown only while the condition holds; required only while shown', () => {
    expect(evaluateRules(form, { kind: 'sick' })).toMatchObject({ visible: { certificate: true }, required: { certificate: true } });
    expect(evaluateRules(form, { kind: 'annual' })).toMatchObject({ visible: { certificate: false }, required: { certificate: false } });
    expect(evaluateRules(form, {})).toMatchObject({ visible: { certificate: false } });
  });

  test('requiredWhen', () => {
    expect(evaluateRules(form, { kind: 'other' }).required.reason).toBe(true);
    expect(evaluateRules(form, { kind: 'sick' }).required.reason).toBe(false);
  });

  test('form rules: show targets are hidden until a rule holds; hide; require', () => {
    expect(evaluateRules(form, { days: 1 })).toMatchObject({ visible: { approver: false, budget: false }, required: { approver: false } });
    expect(evaluateRules(form, { days: 5 })).toMatchObject({ visible: { approver: true, budget: false }, required: { approver: true } });
    expect(evaluateRules(form, { days: 12 })).toMatchObject({ visible: { budget: true } });
    expect(evaluateRules(form, { kind: 'annual' })).toMatchObject({ visible: { handover: false }, required: { handover: false } });
    expect(evaluateRules(form, { kind: 'sick' })).toMatchObject({ visible: { handover: true }, required: { handover: true } });
  });

  test('dynamic values come from the context', () => {
    expect(evaluateRules(form, { approver: 'u7' }, { userId: 'u7' }).visible.budget).toBe(true);
    expect(evaluateRules(form, { approver: 'u7' }, { userId: 'u8' }).visible.budget).toBe(false);
    expect(evaluateRules(form, { approver: 'u7' }).visible.budget).toBe(false);
  });

  test('computed fields are never required; fields without rules are visible', () => {
    const result = evaluateRules(form, {});
    expect(result.required.total).toBe(false);
    expect(result.visible.days).toBe(true);
  });

  test('column rules read the row first, then the record', () => {
    const result = evaluateRules(form, { days: 2, trips: [{ mode: 'car' }, { mode: 'train' }, 'junk'] });
    expect(result.rows.trips).toEqual([
      { visible: { mode: true, plate: true, km: true }, required: { mode: false, plate: true, km: true } },
      { visible: { mode: true, plate: false, km: true }, required: { mode: false, plate: false, km: false } },
      { visible: { mode: true, plate: false, km: true }, required: { mode: false, plate: false, km: false } },
    ]);
    expect(evaluateRules(form, { days: 1, trips: [{ mode: 'car' }] }).rows.trips[0].required.km).toBe(false);
  });
});

describe('validateRecord applies the rules', () => {
  const base = { handover: 'Bob' };
  const codes = (data: Record<string, unknown>, ctx = {}) =>
    validateRecord(form, data, ctx).errors.map((e) => `${e.field}${e.row !== undefined ? `[${e.row}].${e.column}` : ''}:${e.code}`);

  test('a required field hidden by visibleWhen is not required', () => {
    expect(codes({ ...base, kind: 'annual' })).toEqual([]);
    expect(codes({ ...base, kind: 'sick' })).toEqual(['certificate:required']);
    expect(codes({ ...base, kind: 'sick', certificate: [] })).toEqual(['certificate:required']);
  });

  test('requiredWhen and rule requirements are enforced', () => {
    expect(codes({ ...base, kind: 'other' })).toEqual(['reason:required']);
    expect(codes({ ...base, kind: 'other', reason: '  ' })).toEqual([]);
    expect(codes({ ...base, days: 4 })).toEqual(['approver:required']);
  });

  test('a field hidden by a rule is not required', () => {
    expect(codes({ kind: 'annual' })).toEqual([]);
    expect(codes({ kind: 'sick', certificate: [{ id: 'f', name: 'c.pdf' }] })).toEqual(['handover:required']);
  });

  test('column rules apply per row', () => {
    expect(codes({ ...base, days: 2, trips: [{ mode: 'car' }, { mode: 'train' }, { mode: 'car', plate: 'A1', km: 3 }] })).toEqual([
      'trips[0].plate:required',
      'trips[0].km:required',
    ]);
  });

  test('patch mode checks requirements only for the fields sent', () => {
    expect(codes({ days: 4 }, { mode: 'patch' })).toEqual([]);
    expect(codes({ days: 4, approver: '' }, { mode: 'patch' })).toEqual(['approver:required']);
  });
});
