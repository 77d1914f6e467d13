import { describe, expect, it } from 'vitest';
import { resolveAssignees, type Assignee } from '@qiao/workflow-engine';
import { org } from './helpers.ts';

const resolve = (assignees: Assignee[], record: Record<string, unknown> = {}, initiatorId = 'alice') =>
  resolveAssignees(assignees, { org, initiatorId, record });

describe('assignee resolution', () => {
  it('keeps rule order, drops duplicates and disabled or unknown members', () => {
    const r = resolve([{ kind: 'member', ids: ['dave', 'carol', 'ghost'] }, { kind: 'role', ids: ['finance'] }, { kind: 'initiator' }]);
    expect(r.memberIds).toEqual(['dave', 'carol', 'alice']);
    expect(r.dropped).toEqual(['ghost', 'gone']);
  });

  it('resolves departments with and without sub-departments', () => {
    expect(resolve([{ kind: 'department', ids: ['sales'] }]).memberIds).toEqual(['bob']);
    expect(resolve([{ kind: 'department', ids: ['sales'], includeSubDepartments: true }]).memberIds).toEqual(['alice', 'bob', 'frank']);
  });

  it('climbs supervisor levels from the initiator department', () => {
    expect(resolve([{ kind: 'supervisor' }]).memberIds).toEqual(['frank']);
    expect(resolve([{ kind: 'supervisor', level: 2 }]).memberIds).toEqual(['bob']);
    expect(resolve([{ kind: 'supervisor', level: 3 }]).memberIds).toEqual(['ceo']);
    expect(resolve([{ kind: 'supervisor', level: 4 }]).memberIds).toEqual([]);
    expect(resolve([{ kind: 'supervisor' }], {}, 'erin').memberIds).toEqual([]);
  });

  it('resolves department supervisors from ids or a department field', () => {
    expect(resolve([{ kind: 'departmentSupervisor', ids: ['finance', 'legal'] }]).memberIds).toEqual(['carol']);
    expect(resolve([{ kind: 'departmentSupervisor', field: 'dept', level: 2 }], { dept: 'sales-east' }).memberIds).toEqual(['bob']);
  });

  it('resolves member and department fields of the record', () => {
    expect(resolve([{ kind: 'field', field: 'owners' }], { owners: ['erin', 'bob', 'erin'] }).memberIds).toEqual(['erin', 'bob']);
    expect(resolve([{ kind: 'field', field: 'dept' }], { dept: 'finance' }).memberIds).toEqual(['carol', 'dave']);
    expect(resolve([{ kind: 'field', field: 'owner' }], {}).memberIds).toEqual([]);
  });
});
