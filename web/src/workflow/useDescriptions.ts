import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useAllForms, useRoles } from '../api/queries.ts';
import type { Condition, FieldDef } from '../api/types.ts';
import { localize } from '../lib/localize.ts';
import { cellText } from '../renderer/cellText.ts';
import { useOrgNames } from '../renderer/inputs/OrgPickers.tsx';
import type { Assignee, EdgeData, NodeData, SignMode } from './model.ts';

const MAX_SUMMARY = 60;

function clip(text: string): string {
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
}

/** Words for what nodes and edges hold: "角色: 财务 · 会签", "金额 大于等于 100". */
export function useDescriptions(fields: FieldDef[]) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const names = useOrgNames();
  const roles = useRoles();
  const { forms } = useAllForms();
  const roleNames = useMemo(() => new Map((roles.data ?? []).map((r) => [r.id, localize(r.name, lang)])), [roles.data, lang]);
  const formIds = forms.map((f) => f.id).join(',');
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const formNames = useMemo(() => new Map(forms.map((f) => [f.id, localize(f.name, lang)])), [formIds, lang]);
  const fieldsById = useMemo(() => new Map(fields.map((f) => [f.id, f])), [fields]);
  const fieldLabel = useCallback((id: string) => (fieldsById.has(id) ? localize(fieldsById.get(id)!.label, lang) || id : t(`system.${id}`, { defaultValue: id })), [fieldsById, lang, t]);

  const assigneeText = useCallback(
    (a: Assignee): string => {
      const kind = t(`workflow.assigneeKinds.${a.kind}`, { defaultValue: a.kind });
      const list = (ids: string[] | undefined, lookup: (id: string) => string | undefined) => (ids ?? []).map((id) => lookup(id) ?? id).join('、');
      switch (a.kind) {
        case 'member':
        case 'department':
          return list(a.ids, (id) => names.get(id)) || kind;
        case 'role':
          return list(a.ids, (id) => roleNames.get(id)) || kind;
        case 'supervisor':
          return t('workflow.supervisorOf', { level: a.level ?? 1 });
        case 'departmentSupervisor':
          return `${a.ids?.length ? list(a.ids, (id) => names.get(id)) : a.field ? fieldLabel(a.field) : ''} ${t('workflow.assigneeKinds.departmentSupervisor')}`.trim();
        case 'field':
          return a.field ? fieldLabel(a.field) : kind;
        default:
          return kind;
      }
    },
    [t, names, roleNames, fieldLabel],
  );

  const modeText = useCallback((mode: SignMode | undefined) => {
    if (!mode || mode === 'or') return t('workflow.modeShort.or');
    if (typeof mode === 'object') return t('workflow.modeShort.percent', { percent: mode.percent });
    return t(`workflow.modeShort.${mode}`);
  }, [t]);

  const summary = useCallback(
    (type: string, raw: Record<string, unknown>): string => {
      const data = raw as NodeData;
      switch (type) {
        case 'approval':
        case 'fill':
        case 'cc': {
          const who = (data.assignees ?? []).map(assigneeText).join('，');
          if (!who) return t('workflow.noAssignees');
          return clip(type === 'cc' ? who : `${who} · ${modeText(data.mode)}`);
        }
        case 'automation':
          return t(`workflow.automationKinds.${data.action?.kind ?? 'updateRecord'}`, { defaultValue: data.action?.kind ?? '' });
        case 'subprocess':
          return data.formId ? clip(formNames.get(data.formId) ?? data.formId) : t('workflow.pickSubForm');
        default:
          return '';
      }
    },
    [assigneeText, modeText, formNames, t],
  );

  const conditionText = useCallback(
    (c: Condition | undefined): string => {
      if (!c) return '';
      if (Array.isArray(c.and) || Array.isArray(c.or)) {
        const items = (c.and ?? c.or ?? []).map(conditionText).filter(Boolean);
        const joiner = c.or ? ` ${t('workflow.or')} ` : ` ${t('workflow.and')} `;
        return items.length > 1 ? items.map((x) => (x.includes(' ') ? `(${x})` : x)).join(joiner) : (items[0] ?? '');
      }
      if (!c.field || !c.op) return '';
      const field = fieldsById.get(c.field);
      const value = (v: unknown) => (field ? cellText(field, v, lang, { names }) : String(v));
      const shown = c.op === 'empty' || c.op === 'notEmpty' ? '' : Array.isArray(c.value) ? c.value.map(value).join(c.op === 'between' ? ' ~ ' : '、') : c.value === undefined ? '…' : value(c.value);
      return `${fieldLabel(c.field)} ${t(`filter.ops.${c.op}`, { defaultValue: c.op })} ${shown}`.trim();
    },
    [fieldsById, fieldLabel, lang, names, t],
  );

  const edgeLabel = useCallback(
    (data: EdgeData | undefined, fromBranch: boolean): string | undefined => {
      if (data?.label) return data.label;
      if (!fromBranch) return undefined;
      if (data?.default) return t('workflow.defaultEdge');
      return clip(conditionText(data?.condition)) || t('workflow.noCondition');
    },
    [conditionText, t],
  );

  return useMemo(() => ({ summary, edgeLabel, conditionText, assigneeText, fieldLabel }), [summary, edgeLabel, conditionText, assigneeText, fieldLabel]);
}
