import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, EditOutlined, FilterOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Breadcrumb, Button, Input, List, Modal, Popconfirm, Select, Space, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { api } from '../api/client.ts';
import { useAppForms } from '../api/queries.ts';
import { useAuth } from '../auth/AuthProvider.tsx';
import { AppCrumb } from '../layout/AppCrumb.tsx';
import { EmptyState, ErrorState, Loading, errorMessage } from '../layout/States.tsx';
import { localize } from '../lib/localize.ts';
import { dashboardKeys, useAppDashboards, useDashboard, useDashboardData, useSourceForms } from './api.ts';
import './dashboards.css';
import { FilterBar, filterCondition, type FilterValues } from './FilterBar.tsx';
import { FiltersEditor } from './FiltersEditor.tsx';
import { GRID_COLUMNS, ROW_HEIGHT, type Dashboard, type DashboardFilterDef, type WidgetDef } from './model.ts';
import { useDrill } from './useDrill.ts';
import { WidgetEditor } from './WidgetEditor.tsx';
import { WidgetView } from './WidgetView.tsx';

function freshWidgetId(widgets: WidgetDef[]): string {
  const taken = new Set(widgets.map((w) => w.id));
  for (let n = 1; ; n++) if (!taken.has(`w${n}`)) return `w${n}`;
}

/** `/apps/:appId/dashboards/:dashboardId`: widgets on a 12-column grid, a filter bar, click-through, and (admins) editing. */
export default function DashboardPage() {
  const { appId = '', dashboardId = '' } = useParams();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { message } = AntApp.useApp();
  const { isAdmin } = useAuth();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const editing = isAdmin && params.get('edit') === '1';
  const query = useDashboard(dashboardId);
  const dashboard = query.data;
  const siblings = useAppDashboards(appId);
  const appForms = useAppForms(appId);
  const forms = useSourceForms(dashboard);
  const [values, setValues] = useState<FilterValues>({});
  const filter = useMemo(() => (dashboard ? filterCondition(dashboard, forms, values) : undefined), [dashboard, forms, values]);
  const data = useDashboardData(dashboard, filter);
  const drill = useDrill(dashboard, filter);
  const [widgetDraft, setWidgetDraft] = useState<WidgetDef | null>(null);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  if (query.isLoading) return <Loading />;
  if (query.error || !dashboard) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;

  const save = async (patch: Partial<Pick<Dashboard, 'name' | 'filters' | 'widgets'>>) => {
    setSaving(true);
    try {
      const next = { name: dashboard.name, description: dashboard.description, filters: dashboard.filters, widgets: dashboard.widgets, ...patch, version: dashboard.version };
      const updated = await api<Dashboard>('PUT', `/dashboards/${dashboard.id}`, next);
      queryClient.setQueryData(dashboardKeys.one(dashboard.id), updated);
      void queryClient.invalidateQueries({ queryKey: dashboardKeys.app(appId) });
      return true;
    } catch (err) {
      message.error(errorMessage(err, t));
      void query.refetch();
      return false;
    } finally {
      setSaving(false);
    }
  };

  const setEditing = (on: boolean) => {
    const next = new URLSearchParams(params);
    if (on) next.set('edit', '1');
    else next.delete('edit');
    setParams(next, { replace: true });
  };

  const addWidget = () => {
    const bottom = dashboard.widgets.reduce((max, w) => Math.max(max, w.layout.y + w.layout.h), 0);
    const firstForm = appForms.data?.[0]?.id;
    setWidgetDraft({ id: freshWidgetId(dashboard.widgets), type: 'bar', source: { formId: firstForm ?? '' }, groupBy: [], metrics: [{ op: 'count' }], layout: { x: 0, y: bottom, w: 6, h: 5 } });
  };
  const saveWidget = async (widget: WidgetDef) => {
    const exists = dashboard.widgets.some((w) => w.id === widget.id);
    if (await save({ widgets: exists ? dashboard.widgets.map((w) => (w.id === widget.id ? widget : w)) : [...dashboard.widgets, widget] })) setWidgetDraft(null);
  };
  const removeWidget = (id: string) =>
    void save({
      widgets: dashboard.widgets.filter((w) => w.id !== id),
      // A filter entry bound to the removed widget would name a widget that no longer exists.
      filters: dashboard.filters.map((f) => (f.fields && id in f.fields ? { ...f, fields: Object.fromEntries(Object.entries(f.fields).filter(([k]) => k !== id)) } : f)),
    });
  const moveWidget = (id: string, dy: number) => void save({ widgets: dashboard.widgets.map((w) => (w.id === id ? { ...w, layout: { ...w.layout, y: Math.max(0, w.layout.y + dy) } } : w)) });
  const removeDashboard = async () => {
    try {
      await api('DELETE', `/dashboards/${dashboard.id}`);
      void queryClient.invalidateQueries({ queryKey: dashboardKeys.app(appId) });
      navigate(`/apps/${appId}`);
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  const name = localize(dashboard.name, lang);
  const results = data.data;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="dashboard-page">
      <Breadcrumb items={[{ title: <Link to="/">{t('nav.workbench')}</Link> }, { title: <AppCrumb appId={appId} /> }, { title: name }]} />
      <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
        <Space wrap align="center">
          <Typography.Title level={3} style={{ margin: 0 }}>
            {name}
          </Typography.Title>
          {(siblings.data?.length ?? 0) > 1 && (
            <Select
              aria-label={t('dashboards.switch')}
              style={{ minWidth: 180 }}
              value={dashboard.id}
              options={(siblings.data ?? []).map((d) => ({ value: d.id, label: localize(d.name, lang) }))}
              onChange={(id: string) => navigate(`/apps/${appId}/dashboards/${id}`)}
            />
          )}
          {editing && <Tag color="blue">{t('dashboards.editing')}</Tag>}
        </Space>
        <Space wrap>
          <Button icon={<ReloadOutlined />} onClick={() => void data.refetch()} aria-label={t('common.refresh')} loading={data.isFetching} />
          {editing && (
            <>
              <Button type="primary" icon={<PlusOutlined />} onClick={addWidget} data-testid="dashboard-add-widget">
                {t('dashboards.editor.addWidget')}
              </Button>
              <Button icon={<FilterOutlined />} onClick={() => setFiltersOpen(true)}>
                {t('dashboards.editor.filters')}
              </Button>
              <Button onClick={() => setRenaming(name)}>{t('dashboards.editor.rename')}</Button>
              <Popconfirm title={t('dashboards.editor.confirmDelete')} onConfirm={() => void removeDashboard()} okText={t('common.delete')} cancelText={t('common.cancel')}>
                <Button danger icon={<DeleteOutlined />}>
                  {t('common.delete')}
                </Button>
              </Popconfirm>
            </>
          )}
          {isAdmin && (
            <Button icon={<EditOutlined />} type={editing ? 'primary' : 'default'} ghost={editing} onClick={() => setEditing(!editing)} loading={saving} data-testid="dashboard-edit">
              {editing ? t('dashboards.doneEditing') : t('dashboards.edit')}
            </Button>
          )}
        </Space>
      </Space>
      <FilterBar dashboard={dashboard} forms={forms} values={values} onChange={setValues} />
      {data.error && <ErrorState error={data.error} onRetry={() => void data.refetch()} />}
      {dashboard.widgets.length === 0 ? (
        <EmptyState description={editing ? t('dashboards.emptyEditing') : t('dashboards.empty')} action={isAdmin && !editing ? <Button onClick={() => setEditing(true)}>{t('dashboards.edit')}</Button> : undefined} />
      ) : (
        <div className="qiao-dashboard-grid" style={{ gridTemplateColumns: `repeat(${GRID_COLUMNS}, minmax(0, 1fr))`, gridAutoRows: ROW_HEIGHT }}>
          {dashboard.widgets.map((w) => (
            <div key={w.id} className="qiao-dashboard-cell" style={{ gridColumn: `${Math.min(w.layout.x, GRID_COLUMNS - 1) + 1} / span ${Math.min(w.layout.w, GRID_COLUMNS)}`, gridRow: `${w.layout.y + 1} / span ${w.layout.h}` }}>
              <WidgetView
                widget={w}
                result={results?.[w.id]}
                loading={data.isLoading}
                form={'formId' in w.source ? forms.get(w.source.formId) : undefined}
                onDrill={(widget, group) => void drill.drill(widget, group)}
                extra={
                  editing ? (
                    <Space size={0}>
                      <Button type="text" size="small" icon={<ArrowUpOutlined />} aria-label={t('dashboards.editor.moveUp')} onClick={() => moveWidget(w.id, -1)} disabled={w.layout.y === 0} />
                      <Button type="text" size="small" icon={<ArrowDownOutlined />} aria-label={t('dashboards.editor.moveDown')} onClick={() => moveWidget(w.id, 1)} />
                      <Button type="text" size="small" icon={<EditOutlined />} aria-label={t('dashboards.editor.editWidget')} onClick={() => setWidgetDraft(w)} />
                      <Popconfirm title={t('dashboards.editor.confirmRemove')} onConfirm={() => removeWidget(w.id)} okText={t('common.delete')} cancelText={t('common.cancel')}>
                        <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={t('dashboards.editor.removeWidget')} />
                      </Popconfirm>
                    </Space>
                  ) : undefined
                }
              />
            </div>
          ))}
        </div>
      )}
      {widgetDraft && <WidgetEditor initial={widgetDraft} appId={appId} onSave={(w) => void saveWidget(w)} onCancel={() => setWidgetDraft(null)} />}
      {filtersOpen && (
        <FiltersEditor
          value={dashboard.filters}
          forms={forms}
          onCancel={() => setFiltersOpen(false)}
          onSave={async (filters: DashboardFilterDef[]) => {
            if (await save({ filters })) setFiltersOpen(false);
          }}
        />
      )}
      <Modal
        open={renaming !== null}
        title={t('dashboards.editor.rename')}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        onCancel={() => setRenaming(null)}
        onOk={async () => {
          if (renaming?.trim() && (await save({ name: renaming.trim() }))) setRenaming(null);
        }}
        destroyOnHidden
      >
        <Input aria-label={t('dashboards.name')} value={renaming ?? ''} onChange={(e) => setRenaming(e.target.value)} />
      </Modal>
      <Modal open={drill.choices !== null} title={t('dashboards.chooseSource')} footer={null} onCancel={drill.closeChoices}>
        <List
          dataSource={drill.choices ?? []}
          renderItem={(c) => (
            <List.Item actions={[<Button key="open" size="small" onClick={() => drill.open(c)}>{t('dashboards.open')}</Button>]}>
              {localize(c.form.name, lang)} {c.sign !== undefined && <Tag>{c.sign < 0 ? "−" : "+"}</Tag>}
            </List.Item>
          )}
        />
      </Modal>
    </Space>
  );
}
