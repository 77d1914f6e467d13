import { describe, expect, it } from 'vitest';
import { simulate } from '@qiao/workflow-engine';

describe('simulate', () => {
  it('drives the benchmark flow to completion through start/step and counts transitions', () => {
    // Even instances: start, review, finance, legal; odd ones also pass the director.
    expect(simulate({ instances: 10 })).toMatchObject({ instances: 10, transitions: 45, statuses: { approved: 10 } });
  });

  it('is reproducible', () => {
    expect(simulate({ instances: 5, record: () => ({ amount: 1 }) })).toEqual(simulate({ instances: 5, record: () => ({ amount: 1 }) }));
  });
});
