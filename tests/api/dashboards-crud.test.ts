import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { addMember } from '../support/org.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

const dealFields = [
  { id: 'customer', type: 'text', label: 'Customer' },
  { id: 'stage', type: 'select', label: 'Stage', options: ['new', 'won', 'lost'].map((v) => ({ value: v, label: v })) },
  { id: 'amount', type: 'number', label: 'Amount' },
  { id: 'closedAt', type: 'datetime', label: 'Closed at' },
];

async function setup() {
  const owner = await api.signup('Owner', 'Boards');
  const appId = (await api.post('/api/v1/apps', { name: 'CRM' }, owner.token)).body.id as string;
  const formId = (await api.post(`/api/v1/apps/${appId}/forms`, { name: 'Deals', fields: dealFields }, owner.token)).body.id as string;
  return { owner, appId, formId };
}

const widgets = (formId: string) => [
  { id: 'total', type: 'metric', title: { 'zh-CN': '总额', en: 'Total' }, source: { formId }, metrics: [{ op: 'sum', field: 'amount' }], layout: { x: 0, y: 0, w: 4, h: 2 } },
  { id: 'funnel', type: 'funnel', title: 'Funnel', source: { formId }, groupBy: [{ field: 'stage' }], metrics: [{ op: 'count' }], layout: { x: 4, y: 0, w: 8, h: 4 } },
  { id: 'monthly', type: 'line', title: 'Monthly', source: { formId }, groupBy: [{ field: 'closedAt', bucket: 'month' }], metrics: [{ op: 'sum', field: 'amount' }], layout: { x: 0, y: 4, w: 12, h: 4 } },
  { id: 'latest', type: 'table', title: 'Latest', source: { formId }, columns: ['customer', 'amount'], sort: '-amount', layout: { x: 0, y: 8, w: 12, h: 6 } },
];

describe('dashboard CRUD', () => {
  it('creates, reads, lists, updates with a version check and deletes, each audited', async () => {
    const { owner, appId, formId } = await setup();
    const created = await api.post(`/api/v1/apps/${appId}/dashboards`, { name: { 'zh-CN': '销售', en: 'Sales' }, filters: [{ field: 'stage', label: 'Stage' }], widgets: widgets(formId) }, owner.token);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ appId, name: { en: 'Sales' }, version: 1, filters: [{ key: 'stage', field: 'stage', label: 'Stage' }] });
    expect(created.body.widgets.map((w: { id: string }) => w.id)).toEqual(['total', 'funnel', 'monthly', 'latest']);
    const id = created.body.id as string;

    expect((await api.get(`/api/v1/dashboards/${id}`, owner.token)).body).toEqual(created.body);
    const list = await api.get(`/api/v1/apps/${appId}/dashboards`, owner.token);
    expect(list.body.items.map((d: { id: string }) => d.id)).toEqual([id]);

    const updated = await api.put(`/api/v1/dashboards/${id}`, { name: 'Sales v2', widgets: widgets(formId).slice(0, 2), version: 1 }, owner.token);
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Sales v2', version: 2, filters: [] });
    expect(updated.body.widgets).toHaveLength(2);
    const stale = await api.put(`/api/v1/dashboards/${id}`, { name: 'Lost update', version: 1 }, owner.token);
    expect(stale.status).toBe(409);
    expect((await api.get(`/api/v1/dashboards/${id}`, owner.token)).body.name).toBe('Sales v2');

    expect((await api.delete(`/api/v1/dashboards/${id}`, owner.token)).status).toBe(204);
    expect((await api.get(`/api/v1/dashboards/${id}`, owner.token)).status).toBe(404);
    expect((await api.get(`/api/v1/apps/${appId}/dashboards`, owner.token)).body.items).toEqual([]);

    const log = await api.get('/api/v1/audit-log?limit=100', owner.token);
    const actions = log.body.items.filter((e: { target?: { id: string } }) => e.target?.id === id).map((e: { action: string }) => e.action);
    expect(actions.sort()).toEqual(['dashboard.create', 'dashboard.delete', 'dashboard.update']);
  });

  it('validates widgets against their source: 422 naming unknown forms and fields', async () => {
    const { owner, appId, formId } = await setup();
    const post = (body: unknown) => api.post(`/api/v1/apps/${appId}/dashboards`, body, owner.token);
    const layout = { x: 0, y: 0, w: 6, h: 4 };

    const unknownField = await post({
      name: 'Bad',
      widgets: [
        { id: 'a', type: 'bar', source: { formId }, groupBy: [{ field: 'nope' }], metrics: [{ op: 'sum', field: 'ghost' }], layout },
        { id: 'b', type: 'table', source: { formId }, columns: ['customer', 'phantom'], layout },
        { id: 'c', type: 'metric', source: { formId }, metrics: [{ op: 'count' }], filter: { field: 'spectre', op: 'eq', value: 1 }, layout },
      ],
    });
    expect(unknownField.status).toBe(422);
    const errors = unknownField.body.errors as { field: string; path: string }[];
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'nope', path: 'widgets.0.groupBy.0.field' }),
        expect.objectContaining({ field: 'ghost', path: 'widgets.0.metrics.0.field' }),
        expect.objectContaining({ field: 'phantom', path: 'widgets.1.columns.1' }),
        expect.objectContaining({ field: 'spectre', path: 'widgets.2.filter' }),
      ]),
    );
    expect(unknownField.body.title).toContain('nope');

    const unknownForm = await post({ name: 'Bad', widgets: [{ id: 'a', type: 'metric', source: { formId: 'no-such-form' }, metrics: [{ op: 'count' }], layout }] });
    expect(unknownForm.status).toBe(422);
    expect(unknownForm.body.errors[0]).toMatchObject({ field: 'no-such-form', code: 'unknown_form' });

    const shapes = await post({
      name: 'Bad',
      filters: [{ key: 'who', label: 'Who', fields: { zz: 'customer', a: 'nobody' } }],
      widgets: [
        { id: 'a', type: 'pie', source: { formId }, groupBy: [{ field: 'stage' }, { field: 'customer' }], metrics: [{ op: 'count' }], layout },
        { id: 'a', type: 'bar', source: { formId }, groupBy: [{ field: 'stage' }], layout },
        { id: 'c', type: 'table', source: { formId }, metrics: [{ op: 'count' }], limit: 500, layout },
      ],
    });
    expect(shapes.status).toBe(422);
    const codes = shapes.body.errors.map((e: { code: string }) => e.code);
    expect(codes).toEqual(expect.arrayContaining(['invalid_group_by', 'duplicate_widget', 'metrics_required', 'invalid_metrics', 'invalid_limit', 'unknown_widget', 'unknown_field']));

    const badType = await post({ name: 'Bad', widgets: [{ id: 'a', type: 'gauge', source: { formId }, metrics: [{ op: 'count' }], layout }] });
    expect(badType.status).toBe(422);
    expect((await api.get(`/api/v1/apps/${appId}/dashboards`, owner.token)).body.items).toEqual([]);
  });
});

describe('who may design and view dashboards', () => {
  it('admins design; members view boards of apps where they may view a form; others get 403; other tenants 404', async () => {
    const { owner, appId, formId } = await setup();
    const board = await api.post(`/api/v1/apps/${appId}/dashboards`, { name: 'Sales', widgets: widgets(formId) }, owner.token);
    expect(board.status).toBe(201);
    const id = board.body.id as string;
    const viewer = await addMember(api, owner.token, owner.tenantId, 'Viewer');
    const submitter = await addMember(api, owner.token, owner.tenantId, 'Submitter');
    const outsider = await addMember(api, owner.token, owner.tenantId, 'Outsider');
    const grant = (name: string, memberIds: string[], actions: string[]) => api.post(`/api/v1/forms/${formId}/permission-groups`, { name, grantees: { memberIds }, actions, scope: 'all' }, owner.token);
    expect((await grant('View', [viewer.id], ['view'])).status).toBe(201);
    expect((await grant('Submit', [submitter.id], ['submit'])).status).toBe(201);

    // Designing is for admins, and they learn nothing from validation first.
    expect((await api.post(`/api/v1/apps/${appId}/dashboards`, { name: 'Mine', widgets: widgets(formId) }, viewer.token)).status).toBe(403);
    expect((await api.post(`/api/v1/apps/${appId}/dashboards`, { bogus: true }, viewer.token)).status).toBe(403);
    expect((await api.put(`/api/v1/dashboards/${id}`, { name: 'Hijack' }, viewer.token)).status).toBe(403);
    expect((await api.delete(`/api/v1/dashboards/${id}`, viewer.token)).status).toBe(403);

    expect((await api.get(`/api/v1/dashboards/${id}`, viewer.token)).status).toBe(200);
    expect((await api.get(`/api/v1/apps/${appId}/dashboards`, viewer.token)).body.total).toBe(1);
    expect((await api.post(`/api/v1/dashboards/${id}/data`, {}, viewer.token)).status).toBe(200);
    for (const who of [submitter, outsider]) {
      expect((await api.get(`/api/v1/dashboards/${id}`, who.token)).status).toBe(403);
      expect((await api.get(`/api/v1/apps/${appId}/dashboards`, who.token)).status).toBe(403);
      expect((await api.post(`/api/v1/dashboards/${id}/data`, {}, who.token)).status).toBe(403);
      expect((await api.post(`/api/v1/dashboards/${id}/drill`, { widgetId: 'funnel', group: { stage: 'won' } }, who.token)).status).toBe(403);
    }

    const stranger = await api.signup('Stranger', 'Elsewhere');
    expect((await api.get(`/api/v1/dashboards/${id}`, stranger.token)).status).toBe(404);
    expect((await api.post(`/api/v1/dashboards/${id}/data`, {}, stranger.token)).status).toBe(404);
    expect((await api.post(`/api/v1/dashboards/${id}/drill`, { widgetId: 'funnel' }, stranger.token)).status).toBe(404);
    expect((await api.put(`/api/v1/dashboards/${id}`, { name: 'Hijack' }, stranger.token)).status).toBe(404);
    expect((await api.delete(`/api/v1/dashboards/${id}`, stranger.token)).status).toBe(404);
    expect((await api.get(`/api/v1/apps/${appId}/dashboards`, stranger.token)).status).toBe(404);
    // A stranger's admin cannot point a widget at this tenant's form either.
    const strangerApp = (await api.post('/api/v1/apps', { name: 'Theirs' }, stranger.token)).body.id;
    const sneaky = await api.post(`/api/v1/apps/${strangerApp}/dashboards`, { name: 'Peek', widgets: widgets(formId) }, stranger.token);
    expect(sneaky.status).toBe(422);
    expect(sneaky.body.errors[0]).toMatchObject({ field: formId, code: 'unknown_form' });
  });
});
