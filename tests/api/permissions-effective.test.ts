import { describe, expect, it } from 'vitest';
import { conditionFieldIds, editableFieldsOf, fieldModesOf, groupApplies, prefixFilter } from '../../server/src/access/effective.ts';
import { withAncestors, withDescendants } from '../../server/src/org/snapshot.ts';
import type { Action, FieldMode } from '../../server/src/access/model.ts';

const fields = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
const g = (actions: Action[], modes: Record<string, FieldMode> = {}) => ({ actions, fields: modes });

describe('effective rights (pure)', () => {
  it('field modes: most permissive across view groups; unlisted fields edit for writers, read otherwise', () => {
    expect(fieldModesOf([g(['view'], { a: 'hidden' })], fields)).toEqual({ a: 'hidden', b: 'read', c: 'read' });
    expect(fieldModesOf([g(['view', 'edit'], { a: 'hidden', b: 'read' })], fields)).toEqual({ a: 'hidden', b: 'read', c: 'edit' });
    expect(fieldModesOf([g(['view'], { a: 'hidden', b: 'hidden' }), g(['view'], { a: 'read' })], fields)).toEqual({ a: 'read', b: 'read', c: 'read' });
    // A group that does not grant view does not widen what is seen.
    expect(fieldModesOf([g(['view'], { a: 'hidden' }), g(['delete'], { a: 'edit' })], fields).a).toBe('hidden');
    // Without any view group, the submit groups describe the form to fill in.
    expect(fieldModesOf([g(['submit'], { c: 'hidden' })], fields)).toEqual({ a: 'edit', b: 'edit', c: 'hidden' });
  });

  it('editable fields per action come only from groups granting that action', () => {
    const groups = [g(['submit'], { a: 'read' }), g(['edit'], { b: 'hidden' }), g(['view'], { c: 'edit' })];
    expect([...editableFieldsOf(groups, fields, 'submit')].sort()).toEqual(['b', 'c']);
    expect([...editableFieldsOf(groups, fields, 'edit')].sort()).toEqual(['a', 'c']);
    expect([...editableFieldsOf([g(['view'])], fields, 'edit')]).toEqual([]);
  });

  it('grantees match a member, their department or any ancestor of it, or one of their roles', () => {
    const depts = [{ id: 'root' }, { id: 'sales', parentId: 'root' }, { id: 'east', parentId: 'sales' }, { id: 'hr', parentId: 'root' }];
    const who = { userId: 'u', roleIds: ['r1'], departmentsWithAncestors: withAncestors(depts, ['east']) };
    expect(groupApplies({ memberIds: ['u'] }, who)).toBe(true);
    expect(groupApplies({ departmentIds: ['sales'] }, who)).toBe(true);
    expect(groupApplies({ departmentIds: ['hr'] }, who)).toBe(false);
    expect(groupApplies({ roleIds: ['r1'] }, who)).toBe(true);
    expect(groupApplies({ memberIds: ['v'], roleIds: ['r2'] }, who)).toBe(false);
    expect([...withDescendants(depts, ['sales'])].sort()).toEqual(['east', 'sales']);
    // A corrupt cycle does not hang.
    expect([...withAncestors([{ id: 'x', parentId: 'y' }, { id: 'y', parentId: 'x' }], ['x'])].sort()).toEqual(['x', 'y']);
  });

  it('finds every field a condition names and re-roots filters', () => {
    const cond = { or: [{ field: 'a', op: 'eq', value: 1 }, { and: [{ field: 'sub.col', op: 'gt', value: { ref: 'b' } }] }] };
    expect([...conditionFieldIds(cond)].sort()).toEqual(['a', 'b', 'sub']);
    expect(prefixFilter({ $or: [{ ownerId: 'u' }, { 'data.a': { $gt: 1 } }] }, 'record.')).toEqual({ $or: [{ 'record.ownerId': 'u' }, { 'record.data.a': { $gt: 1 } }] });
    expect(() => prefixFilter({ $where: 'x' }, 'record.')).toThrow();
  });
});
