import {
  AppstoreOutlined, CalendarOutlined, DeleteOutlined, DownloadOutlined, EditOutlined, FormOutlined, PlusOutlined,
  ProjectOutlined, ReloadOutlined, RestOutlined, SaveOutlined, TableOutlined, UploadOutlined,
} from '@ant-design/icons';
import { useQueries, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Breadcrumb, Button, Drawer, Dropdown, Input, Modal, Popconfirm, Segmented, Select, Space, Tag, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { api, apiDownload } from '../api/client.ts';
import { keys, useForm } from '../api/queries.ts';
import { formRights, type Condition, type FormDef, type RecordItem } from '../api/types.ts';
import { useAuth } from '../auth/AuthProvider.tsx';
import { runLimited } from '../dataview/batch.ts';
import { BatchEditModal } from '../dataview/BatchEditModal.tsx';
import { CalendarView } from '../dataview/CalendarView.tsx';
import { ColumnChooser } from '../dataview/ColumnChooser.tsx';
import { buildColumns } from '../dataview/columns.ts';
import { FilterButton } from '../dataview/FilterButton.tsx';
import { GalleryView } from '../dataview/GalleryView.tsx';
import { ImportDialog } from '../dataview/ImportDialog.tsx';
import { KanbanView } from '../dataview/KanbanView.tsx';
import { RecycleBin } from '../dataview/RecycleBin.tsx';
import { loadLayout, loadViews, saveLayout, saveViews, type Layout, type ViewConfig, type ViewType } from '../dataview/savedViews.ts';
import { toViewConfig, useServerViews, useShareableGroups, useViewMutations, type ServerView } from '../dataview/serverViews.ts';
import { useRecordList } from '../dataview/useRecordList.ts';
import { useRelationTitles } from '../dataview/useRelationTitles.ts';
import { formatSort, parseSort, VirtualGrid } from '../dataview/VirtualGrid.tsx';
import { AppCrumb } from '../layout/AppCrumb.tsx';
import { ErrorState, Loading, errorMessage } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import { RecordDetail } from '../record/RecordDetail.tsx';
import { useOrgNames } from '../renderer/inputs/OrgPickers.tsx';

function parseFilter(raw: string | null): Condition | undefined {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Condition;
  } catch {
    return undefined;
  }
}

function useGridHeight(ref: React.RefObject<HTMLDivElement | null>): number {
  const [height, setHeight] = useState(480);
  useEffect(() => {
    const measure = () => {
      const top = ref.current?.getBoundingClientRect().top ?? 200;
      setHeight(Math.max(320, window.innerHeight - top - 24));
    };
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, [ref]);
  return height;
}

function useTargetForms(form: FormDef | undefined): Map<string, FormDef> {
  const ids = [...new Set((form?.fields ?? []).filter((f) => f.type === 'relation' && f.form).map((f) => f.form!))];
  const results = useQueries({ queries: ids.map((id) => ({ queryKey: keys.form(id), queryFn: ({ signal }: { signal: AbortSignal }) => api<FormDef>('GET', `/forms/${id}`, undefined, { signal }) })) });
  const data = results.map((r) => r.data);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => new Map(data.filter((f): f is FormDef => Boolean(f)).map((f) => [f.id, f])), data);
}
/** The share picker's option for everyone who may view the form's records. */
const SHARE_ALL = '*';

export default function DataViewPage() {
  const { appId = '', formId = '' } = useParams();
  const { t, i18n } = useTranslation();
  const l = useLocalize();
  const { message } = AntApp.useApp();
  const { isAdmin } = useAuth();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const formQuery = useForm(formId);
  const form = formQuery.data;
  const names = useOrgNames();
  const gridRef = useRef<HTMLDivElement>(null);
  const gridHeight = useGridHeight(gridRef);

  const viewType = (params.get('view') as ViewType | null) ?? 'table';
  const sortParam = params.get('sort') ?? '';
  const filterParam = params.get('filter');
  const filter = useMemo(() => parseFilter(filterParam), [filterParam]);
  const openRecordId = params.get('record');
  const [layout, setLayoutState] = useState<Layout>(() => loadLayout(formId));
  const [views, setViews] = useState<ViewConfig[]>(() => loadViews(formId));
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [batchOpen, setBatchOpen] = useState(false);
  const [importOpen, setImportOpen] = useState(false);
  const [binOpen, setBinOpen] = useState(false);
  const [saveViewOpen, setSaveViewOpen] = useState(false);
  const [viewName, setViewName] = useState('');
  const [shareWith, setShareWith] = useState<string[]>([]);
  const serverViews = useServerViews(formId).data ?? [];
  const shareableGroups = useShareableGroups(formId, isAdmin && saveViewOpen).data ?? [];
  const viewMutations = useViewMutations(formId);

  useEffect(() => {
    setLayoutState(loadLayout(formId));
    setViews(loadViews(formId));
    setSelected(new Set());
  }, [formId]);

  const setParam = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: true });
  };
  const setLayout = (patch: Layout) => {
    const next = { ...layout, ...patch };
    setLayoutState(next);
    saveLayout(formId, next);
  };

  const list = useRecordList(formId, { filter, sort: sortParam || undefined });
  const targetForms = useTargetForms(form);
  const visibleFields = useMemo(() => (form?.fields ?? []).filter((f) => formRights(form).fields?.[f.id] !== 'hidden'), [form]);
  const columns = useMemo(() => buildColumns(visibleFields, layout.columns ?? null), [visibleFields, layout.columns]);
  const titles = useRelationTitles(columns.map((c) => c.field), list.rows, targetForms);
  const ctx = useMemo(() => ({ names, titles }), [names, titles]);
  const selectedRecords = list.rows.filter((r) => selected.has(r.id));
  const actions = formRights(form).actions;
  const can = (action: string) => !actions || actions.includes(action);

  if (formQuery.isLoading) return <Loading />;
  if (formQuery.error || !form) return <ErrorState error={formQuery.error} onRetry={() => void formQuery.refetch()} />;

  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.records(formId) });
  const openRecord = (r: RecordItem) => setParam({ record: r.id });

  const batchDelete = async () => {
    const failed = await runLimited(selectedRecords, 4, (r) => api('DELETE', `/forms/${formId}/records/${r.id}`));
    if (failed.length) message.error(t('batch.failed', { count: failed.length }) + ': ' + errorMessage(failed[0].error, t));
    else message.success(t('batch.deleted', { count: selectedRecords.length }));
    setSelected(new Set());
    refresh();
  };

  const exportView = async () => {
    try {
      await apiDownload(
        `/forms/${formId}/export`,
        { lang: i18n.language, filter: filter ? JSON.stringify(filter) : undefined, sort: sortParam || undefined, fields: columns.filter((c) => !c.system).map((c) => c.id).join(',') || undefined },
        `${l(form.name) || 'export'}.xlsx`,
      );
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  const applyView = (view: ViewConfig) => {
    setParam({ view: view.type === 'table' ? null : view.type, sort: view.sort ?? null, filter: view.filter ? JSON.stringify(view.filter) : null });
    setLayout({ columns: view.columns, groupBy: view.groupBy, dateField: view.dateField });
  };
  const saveCurrentView = async () => {
    const name = viewName.trim();
    if (!name) return;
    const view: ViewConfig = { name, type: viewType, sort: sortParam || undefined, filter, columns: layout.columns, groupBy: layout.groupBy, dateField: layout.dateField };
    const shared = shareWith.includes(SHARE_ALL) ? 'all' : shareWith.length ? { groupIds: shareWith } : null;
    try {
      await viewMutations.save.mutateAsync({ view, shared });
    } catch (err) {
      message.error(errorMessage(err, t));
      return;
    }
    setSaveViewOpen(false);
    setViewName('');
    setShareWith([]);
    message.success(t('views.saved'));
  };
  const removableViews = serverViews.filter((v) => v.mine || (isAdmin && v.shared));
  const removeView = (view: ServerView) =>
    viewMutations.remove.mutate(view.id, { onSuccess: () => message.success(t('views.deleted')), onError: (err) => message.error(errorMessage(err, t)) });

  const sortKeys = parseSort(sortParam);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Breadcrumb items={[{ title: <Link to="/">{t('nav.workbench')}</Link> }, { title: <AppCrumb appId={appId} /> }, { title: l(form.name) }]} />
      <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {l(form.name)}
        </Typography.Title>
        <Space wrap>
          {can('submit') && (
            <Link to={`/apps/${appId}/forms/${formId}/new`}>
              <Button type="primary" icon={<PlusOutlined />}>
                {t('data.add')}
              </Button>
            </Link>
          )}
          {can('import') && (
            <Button icon={<UploadOutlined />} onClick={() => setImportOpen(true)}>
              {t('data.import')}
            </Button>
          )}
          {can('export') && (
            <Button icon={<DownloadOutlined />} onClick={() => void exportView()}>
              {t('data.export')}
            </Button>
          )}
          {can('delete') && (
            <Button icon={<RestOutlined />} onClick={() => setBinOpen(true)}>
              {t('data.recycleBin')}
            </Button>
          )}
          {isAdmin && (
            <Link to={`/apps/${appId}/forms/${formId}/design`}>
              <Button icon={<FormOutlined />}>{t('data.design')}</Button>
            </Link>
          )}
        </Space>
      </Space>
      <Space wrap>
        <Segmented
          value={viewType}
          onChange={(v) => setParam({ view: v === 'table' ? null : String(v) })}
          options={[
            { value: 'table', label: t('views.table'), icon: <TableOutlined /> },
            { value: 'kanban', label: t('views.kanban'), icon: <ProjectOutlined /> },
            { value: 'gallery', label: t('views.gallery'), icon: <AppstoreOutlined /> },
            { value: 'calendar', label: t('views.calendar'), icon: <CalendarOutlined /> },
          ]}
        />
        <FilterButton fields={visibleFields} value={filter} onApply={(c) => setParam({ filter: c ? JSON.stringify(c) : null })} />
        {viewType === 'table' && <ColumnChooser fields={visibleFields} columns={columns} onChange={(ids) => setLayout({ columns: ids })} />}
        <Dropdown
          menu={{
            items: [
              ...serverViews.map((v) => ({
                key: `server:${v.id}`,
                label: (
                  <Space size={4}>
                    {v.name}
                    {v.shared && <Tag color="blue">{t('views.shared')}</Tag>}
                  </Space>
                ),
              })),
              // Views saved in this browser before views moved to the server.
              ...views.map((v) => ({ key: `view:${v.name}`, label: `${v.name} (${t('views.local')})` })),
              ...(views.length || serverViews.length ? [{ type: 'divider' as const }] : []),
              { key: 'save', icon: <SaveOutlined />, label: t('views.saveCurrent') },
              ...(removableViews.length
                ? [{ key: 'remove', icon: <DeleteOutlined />, label: t('views.delete'), children: removableViews.map((v) => ({ key: `remove:${v.id}`, label: v.name, danger: true })) }]
                : []),
              ...(views.length ? [{ key: 'clear', icon: <DeleteOutlined />, label: t('views.deleteAll'), danger: true }] : []),
            ],
            onClick: ({ key }) => {
              if (key === 'save') setSaveViewOpen(true);
              else if (key === 'clear') {
                setViews([]);
                saveViews(formId, []);
              } else if (key.startsWith('remove:')) {
                const view = removableViews.find((v) => `remove:${v.id}` === key);
                if (view) removeView(view);
              } else if (key.startsWith('server:')) {
                const view = serverViews.find((v) => `server:${v.id}` === key);
                if (view) applyView(toViewConfig(view));
              } else {
                const view = views.find((v) => `view:${v.name}` === key);
                if (view) applyView(view);
              }
            },
          }}
        >
          <Button>{t('views.myViews')}</Button>
        </Dropdown>
        <Button icon={<ReloadOutlined />} onClick={refresh} aria-label={t('common.refresh')} />
        <Typography.Text type="secondary" data-testid="record-total">
          {t('data.total', { count: list.total })}
        </Typography.Text>
        {selected.size > 0 && (
          <Space>
            <Typography.Text strong>{t('batch.selected', { count: selected.size })}</Typography.Text>
            {can('edit') && (
              <Button icon={<EditOutlined />} onClick={() => setBatchOpen(true)}>
                {t('batch.edit')}
              </Button>
            )}
            {can('delete') && (
              <Popconfirm title={t('batch.confirmDelete', { count: selected.size })} onConfirm={() => void batchDelete()}>
                <Button danger icon={<DeleteOutlined />}>
                  {t('batch.delete')}
                </Button>
              </Popconfirm>
            )}
            <Button type="link" onClick={() => setSelected(new Set())}>
              {t('batch.clear')}
            </Button>
          </Space>
        )}
      </Space>
      <div ref={gridRef}>
        {list.error ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : viewType === 'kanban' ? (
          <KanbanView form={form} groupBy={layout.groupBy} onGroupBy={(groupBy) => setLayout({ groupBy })} filter={filter} sort={sortParam || undefined} ctx={ctx} onOpen={openRecord} />
        ) : viewType === 'gallery' ? (
          <GalleryView form={form} filter={filter} sort={sortParam || undefined} ctx={ctx} onOpen={openRecord} />
        ) : viewType === 'calendar' ? (
          <CalendarView form={form} dateField={layout.dateField} onDateField={(dateField) => setLayout({ dateField })} filter={filter} ctx={ctx} onOpen={openRecord} />
        ) : (
          <VirtualGrid
            columns={columns}
            rows={list.rows}
            total={list.total}
            loading={list.isLoading}
            hasNextPage={Boolean(list.hasNextPage)}
            isFetchingNextPage={list.isFetchingNextPage}
            fetchNextPage={() => void list.fetchNextPage()}
            sort={sortKeys}
            onSort={(next) => setParam({ sort: formatSort(next) || null })}
            selected={selected}
            onSelect={setSelected}
            onOpen={openRecord}
            ctx={ctx}
            height={gridHeight}
          />
        )}
      </div>
      <Drawer open={Boolean(openRecordId)} onClose={() => setParam({ record: null })} size="large" title={l(form.name)} destroyOnHidden>
        {openRecordId && <RecordDetail appId={appId} form={form} recordId={openRecordId} inDrawer onDeleted={() => setParam({ record: null })} />}
      </Drawer>
      {batchOpen && <BatchEditModal form={form} records={selectedRecords} open onClose={() => setBatchOpen(false)} onDone={refresh} />}
      {importOpen && <ImportDialog form={form} open onClose={() => setImportOpen(false)} onImported={refresh} />}
      <RecycleBin form={form} open={binOpen} onClose={() => setBinOpen(false)} />
      <Modal
        open={saveViewOpen}
        title={t('views.saveCurrent')}
        onCancel={() => setSaveViewOpen(false)}
        onOk={() => void saveCurrentView()}
        okButtonProps={{ disabled: !viewName.trim(), loading: viewMutations.save.isPending }}
      >
        <Space direction="vertical" style={{ width: '100%' }}>
          <Input aria-label={t('views.name')} placeholder={t('views.name')} value={viewName} onChange={(e) => setViewName(e.target.value)} onPressEnter={() => void saveCurrentView()} autoFocus />
          {isAdmin && (
            <Select
              mode="multiple"
              allowClear
              style={{ width: '100%' }}
              aria-label={t('views.shareWith')}
              placeholder={t('views.shareWithPlaceholder')}
              value={shareWith}
              onChange={(ids: string[]) => setShareWith(ids.includes(SHARE_ALL) ? [SHARE_ALL] : ids)}
              options={[{ value: SHARE_ALL, label: t('views.shareAll') }, ...shareableGroups.map((g) => ({ value: g.id, label: l(g.name) }))]}
            />
          )}
        </Space>
      </Modal>
    </Space>
  );
}
