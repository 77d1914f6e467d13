import { DndContext, DragOverlay, KeyboardSensor, PointerSensor, useSensor, useSensors, type Announcements, type DragEndEvent, type DragOverEvent, type DragStartEvent } from '@dnd-kit/core';
import { EyeOutlined, RedoOutlined, SaveOutlined, UndoOutlined, ToolOutlined, TableOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntApp, Badge, Breadcrumb, Button, Segmented, Space, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useReducer, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { ApiError, api } from '../api/client.ts';
import { keys, useForm } from '../api/queries.ts';
import type { FieldType, FormDef } from '../api/types.ts';
import { Canvas, CANVAS_ID, SUBFORM_PREFIX, type DropHint } from '../designer/Canvas.tsx';
import { designerReducer, initialState, type Draft } from '../designer/designerState.ts';
import { designerCollision, designerKeyboardCoordinates, isPaletteId } from '../designer/dnd.ts';
import { Palette } from '../designer/Palette.tsx';
import { PropertyPanel } from '../designer/PropertyPanel.tsx';
import { definitionProblems } from '../engine/engine.ts';
import { FieldIcon } from '../fields/FieldIcon.tsx';
import { typeInfo } from '../fields/fieldTypes.ts';
import { AppCrumb } from '../layout/AppCrumb.tsx';
import { ErrorState, Loading, errorMessage } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import { RecordForm } from '../renderer/RecordForm.tsx';

const EMPTY_DRAFT: Draft = { name: '', fields: [], rules: [], settings: {} };

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return Boolean(el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable));
}

export default function DesignerPage() {
  const { appId = '', formId = '' } = useParams();
  const { t } = useTranslation();
  const l = useLocalize();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const formQuery = useForm(formId);
  const [state, dispatch] = useReducer(designerReducer, EMPTY_DRAFT, initialState);
  const [mode, setMode] = useState<'design' | 'preview'>('design');
  const [dragType, setDragType] = useState<FieldType | null>(null);
  const [dropHint, setDropHint] = useState<DropHint | null>(null);
  const [saveErrors, setSaveErrors] = useState<string[]>([]);
  const draft = state.present;

  const loadedVersion = formQuery.data?.version;
  useEffect(() => {
    const form = formQuery.data;
    if (form) dispatch({ type: 'load', draft: { name: form.name, fields: form.fields ?? [], rules: form.rules ?? [], settings: form.settings ?? {} } });
    // Reload only when a different version arrives, never while the user edits.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [formId, loadedVersion]);

  const problems = useMemo(() => definitionProblems(draft, formId), [draft, formId]);

  const save = useMutation({
    mutationFn: () => api<FormDef>('PUT', `/forms/${formId}`, { name: draft.name, fields: draft.fields, rules: draft.rules, settings: draft.settings }),
    onSuccess: (saved) => {
      setSaveErrors([]);
      dispatch({ type: 'saved' });
      queryClient.setQueryData(keys.form(formId), saved);
      void queryClient.invalidateQueries({ queryKey: keys.appForms(appId) });
      message.success(t('designer.savedVersion', { version: saved.version }));
    },
    onError: (err) => {
      setSaveErrors(err instanceof ApiError && err.errors.length ? err.errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)) : [errorMessage(err, t)]);
    },
  });

  const onKey = useCallback(
    (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) return;
      const key = e.key.toLowerCase();
      if (key === 's') {
        e.preventDefault();
        if (!save.isPending) save.mutate();
      } else if (!isTyping(e.target) && key === 'z') {
        e.preventDefault();
        dispatch({ type: e.shiftKey ? 'redo' : 'undo' });
      } else if (!isTyping(e.target) && key === 'y') {
        e.preventDefault();
        dispatch({ type: 'redo' });
      }
    },
    [save],
  );
  useEffect(() => {
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onKey]);

  useEffect(() => {
    if (!state.dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [state.dirty]);

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: designerKeyboardCoordinates, keyboardCodes: { start: ['Space'], cancel: ['Escape'], end: ['Space', 'Enter'] } }),
  );

  const fieldName = (id: string | number) => {
    const s = String(id);
    if (isPaletteId(s)) return l(typeInfo(s.slice('palette:'.length) as FieldType).label);
    if (s === CANVAS_ID) return t('designer.canvas');
    if (s.startsWith(SUBFORM_PREFIX)) return l(draft.fields.find((f) => f.id === s.slice(SUBFORM_PREFIX.length))?.label);
    return l(draft.fields.find((f) => f.id === s)?.label) || s;
  };
  const announcements: Announcements = {
    onDragStart: ({ active }) => t('designer.dnd.start', { name: fieldName(active.id) }),
    onDragOver: ({ active, over }) => (over ? t('designer.dnd.over', { name: fieldName(active.id), target: fieldName(over.id) }) : t('designer.dnd.outside', { name: fieldName(active.id) })),
    onDragEnd: ({ active, over }) => (over ? t('designer.dnd.drop', { name: fieldName(active.id), target: fieldName(over.id) }) : t('designer.dnd.cancel', { name: fieldName(active.id) })),
    onDragCancel: ({ active }) => t('designer.dnd.cancel', { name: fieldName(active.id) }),
  };

  const hintFor = (event: DragOverEvent | DragEndEvent): DropHint | null => {
    const { active, over } = event;
    if (!over || over.id === CANVAS_ID || String(over.id).startsWith(SUBFORM_PREFIX)) return null;
    const dragged = active.rect.current.translated;
    const after = dragged ? dragged.top + dragged.height / 2 > over.rect.top + over.rect.height / 2 : false;
    return { targetId: String(over.id), after };
  };

  const onDragStart = (event: DragStartEvent) => {
    const data = event.active.data.current as { fieldType?: FieldType } | undefined;
    setDragType(data?.fieldType ?? null);
  };
  const onDragOver = (event: DragOverEvent) => setDropHint(isPaletteId(event.active.id) ? hintFor(event) : null);
  const onDragEnd = (event: DragEndEvent) => {
    setDragType(null);
    setDropHint(null);
    const { active, over } = event;
    if (!over) return;
    if (isPaletteId(active.id)) {
      const fieldType = (active.data.current as { fieldType: FieldType }).fieldType;
      const overId = String(over.id);
      if (overId.startsWith(SUBFORM_PREFIX)) {
        if (typeInfo(fieldType).inSubform) dispatch({ type: 'addColumn', subformId: overId.slice(SUBFORM_PREFIX.length), fieldType });
        else message.warning(t('designer.notInSubform'));
        return;
      }
      if (overId === CANVAS_ID) {
        dispatch({ type: 'add', fieldType });
        return;
      }
      const index = draft.fields.findIndex((f) => f.id === overId);
      const hint = hintFor(event);
      dispatch({ type: 'add', fieldType, index: index < 0 ? undefined : index + (hint?.after ? 1 : 0) });
      return;
    }
    const from = draft.fields.findIndex((f) => f.id === active.id);
    const to = draft.fields.findIndex((f) => f.id === over.id);
    if (from >= 0 && to >= 0) dispatch({ type: 'move', from, to });
  };

  if (formQuery.isLoading) return <Loading />;
  if (formQuery.error) return <ErrorState error={formQuery.error} onRetry={() => void formQuery.refetch()} />;

  const previewForm: FormDef = { id: formId, name: draft.name, version: formQuery.data?.version ?? 0, fields: draft.fields, rules: draft.rules, settings: draft.settings };
  const problemCount = [...problems.values()].reduce((n, list) => n + list.length, 0);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Breadcrumb
        items={[
          { title: <Link to="/">{t('nav.workbench')}</Link> },
          { title: <AppCrumb appId={appId} /> },
          { title: <Link to={`/apps/${appId}/forms/${formId}`}>{l(formQuery.data?.name)}</Link> },
          { title: t('designer.title') },
        ]}
      />
      <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {l(draft.name) || t('designer.untitled')} <Typography.Text type="secondary">v{formQuery.data?.version}</Typography.Text>
          {state.dirty && <Badge status="warning" text={t('designer.unsaved')} style={{ marginLeft: 12 }} />}
        </Typography.Title>
        <Space wrap>
          <Segmented
            value={mode}
            onChange={(v) => setMode(v as 'design' | 'preview')}
            options={[
              { value: 'design', label: t('designer.design'), icon: <ToolOutlined /> },
              { value: 'preview', label: t('designer.preview'), icon: <EyeOutlined /> },
            ]}
          />
          <Tooltip title="Ctrl+Z">
            <Button icon={<UndoOutlined />} disabled={!state.past.length} onClick={() => dispatch({ type: 'undo' })}>
              {t('designer.undo')}
            </Button>
          </Tooltip>
          <Tooltip title="Ctrl+Shift+Z">
            <Button icon={<RedoOutlined />} disabled={!state.future.length} onClick={() => dispatch({ type: 'redo' })}>
              {t('designer.redo')}
            </Button>
          </Tooltip>
          <Link to={`/apps/${appId}/forms/${formId}`}>
            <Button icon={<TableOutlined />}>{t('designer.toData')}</Button>
          </Link>
          <Button type="primary" icon={<SaveOutlined />} loading={save.isPending} onClick={() => save.mutate()} disabled={!state.dirty && !saveErrors.length}>
            {t('designer.save')}
          </Button>
        </Space>
      </Space>
      {saveErrors.length > 0 && (
        <Alert type="error" showIcon title={t('designer.saveFailed')} description={<ul style={{ margin: 0 }}>{saveErrors.map((e, i) => <li key={i}>{e}</li>)}</ul>} role="alert" closable onClose={() => setSaveErrors([])} />
      )}
      {problemCount > 0 && <Alert type="warning" showIcon title={t('designer.problems', { count: problemCount })} data-testid="designer-problems" />}
      {mode === 'preview' ? (
        <div style={{ maxWidth: draft.settings.columns === 2 ? 1100 : 760, margin: '0 auto', width: '100%' }} data-testid="designer-preview">
          <RecordForm form={previewForm} preview onSubmit={async () => void message.success(t('designer.previewValid'))} />
        </div>
      ) : (
        <DndContext
          sensors={sensors}
          collisionDetection={designerCollision}
          onDragStart={onDragStart}
          onDragOver={onDragOver}
          onDragEnd={onDragEnd}
          onDragCancel={() => {
            setDragType(null);
            setDropHint(null);
          }}
          accessibility={{ announcements, screenReaderInstructions: { draggable: t('designer.dnd.instructions') } }}
        >
          <div className="qiao-designer">
            <Palette onAdd={(fieldType) => dispatch({ type: 'add', fieldType })} />
            <Canvas
              fields={draft.fields}
              twoColumns={draft.settings.columns === 2}
              selectedId={state.selectedId}
              selectedColumn={state.selectedColumn}
              problems={problems}
              dropHint={dropHint}
              dispatch={dispatch}
            />
            <PropertyPanel draft={draft} selectedId={state.selectedId} selectedColumn={state.selectedColumn} dispatch={dispatch} />
          </div>
          <DragOverlay dropAnimation={null}>
            {dragType ? (
              <div className="qiao-palette-item" style={{ boxShadow: '0 4px 12px rgba(0,0,0,0.15)' }}>
                <FieldIcon type={dragType} /> {l(typeInfo(dragType).label)}
              </div>
            ) : null}
          </DragOverlay>
        </DndContext>
      )}
    </Space>
  );
}
