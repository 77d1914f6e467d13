import type { FieldDef, FieldType, FormRule, Localized } from '../api/types.ts';
import { allFieldIds, newField } from '../fields/fieldTypes.ts';

export interface Draft {
  name: Localized;
  fields: FieldDef[];
  rules: FormRule[];
  settings: Record<string, unknown>;
}

export interface DesignerState {
  past: Draft[];
  present: Draft;
  future: Draft[];
  selectedId: string | null;
  /** The subform column being edited, as `subformId/columnId`. */
  selectedColumn: string | null;
  dirty: boolean;
  /** Consecutive edits of one property (typing a label) become one undo step. */
  lastCoalesce: string | null;
}

export type DesignerAction =
  | { type: 'load'; draft: Draft }
  | { type: 'saved' }
  | { type: 'add'; fieldType: FieldType; index?: number }
  | { type: 'addColumn'; subformId: string; fieldType: FieldType; index?: number }
  | { type: 'move'; from: number; to: number }
  | { type: 'moveColumn'; subformId: string; from: number; to: number }
  | { type: 'update'; id: string; patch: Partial<FieldDef>; coalesce?: string }
  | { type: 'updateColumn'; subformId: string; columnId: string; patch: Partial<FieldDef>; coalesce?: string }
  | { type: 'remove'; id: string }
  | { type: 'removeColumn'; subformId: string; columnId: string }
  | { type: 'duplicate'; id: string }
  | { type: 'select'; id: string | null; column?: string | null }
  | { type: 'setName'; name: Localized }
  | { type: 'setSettings'; patch: Record<string, unknown> }
  | { type: 'setRules'; rules: FormRule[] }
  | { type: 'undo' }
  | { type: 'redo' };

const HISTORY_LIMIT = 100;

export function initialState(draft: Draft): DesignerState {
  return { past: [], present: draft, future: [], selectedId: null, selectedColumn: null, dirty: false, lastCoalesce: null };
}

function arrayMove<T>(list: T[], from: number, to: number): T[] {
  const next = list.slice();
  const [item] = next.splice(from, 1);
  next.splice(Math.max(0, Math.min(to, next.length)), 0, item);
  return next;
}

function commit(state: DesignerState, present: Draft, selection?: Partial<Pick<DesignerState, 'selectedId' | 'selectedColumn'>>, coalesce?: string): DesignerState {
  const merge = coalesce !== undefined && coalesce === state.lastCoalesce;
  return {
    past: merge ? state.past : [...state.past, state.present].slice(-HISTORY_LIMIT),
    lastCoalesce: coalesce ?? null,
    present,
    future: [],
    selectedId: selection?.selectedId !== undefined ? selection.selectedId : state.selectedId,
    selectedColumn: selection?.selectedColumn !== undefined ? selection.selectedColumn : state.selectedColumn,
    dirty: true,
  };
}

function mapSubform(draft: Draft, subformId: string, change: (columns: FieldDef[]) => FieldDef[]): Draft {
  return { ...draft, fields: draft.fields.map((f) => (f.id === subformId ? { ...f, fields: change(f.fields ?? []) } : f)) };
}

export function designerReducer(state: DesignerState, action: DesignerAction): DesignerState {
  const draft = state.present;
  switch (action.type) {
    case 'load':
      return initialState(action.draft);
    case 'saved':
      return { ...state, dirty: false, lastCoalesce: null };
    case 'add': {
      const field = newField(action.fieldType, allFieldIds(draft.fields));
      const fields = draft.fields.slice();
      fields.splice(action.index ?? fields.length, 0, field);
      return commit(state, { ...draft, fields }, { selectedId: field.id, selectedColumn: null });
    }
    case 'addColumn': {
      const column = newField(action.fieldType, allFieldIds(draft.fields));
      const next = mapSubform(draft, action.subformId, (columns) => {
        const copy = columns.slice();
        copy.splice(action.index ?? copy.length, 0, column);
        return copy;
      });
      return commit(state, next, { selectedId: action.subformId, selectedColumn: `${action.subformId}/${column.id}` });
    }
    case 'move':
      if (action.from === action.to) return state;
      return commit(state, { ...draft, fields: arrayMove(draft.fields, action.from, action.to) });
    case 'moveColumn':
      if (action.from === action.to) return state;
      return commit(state, mapSubform(draft, action.subformId, (columns) => arrayMove(columns, action.from, action.to)));
    case 'update': {
      const fields = draft.fields.map((f) => (f.id === action.id ? { ...f, ...action.patch } : f));
      const renamed = action.patch.id && action.patch.id !== action.id ? action.patch.id : null;
      return commit(state, { ...draft, fields }, renamed ? { selectedId: renamed } : undefined, action.coalesce);
    }
    case 'updateColumn': {
      const next = mapSubform(draft, action.subformId, (columns) => columns.map((c) => (c.id === action.columnId ? { ...c, ...action.patch } : c)));
      const renamed = action.patch.id && action.patch.id !== action.columnId ? `${action.subformId}/${action.patch.id}` : undefined;
      return commit(state, next, renamed ? { selectedColumn: renamed } : undefined, action.coalesce);
    }
    case 'remove':
      return commit(
        state,
        { ...draft, fields: draft.fields.filter((f) => f.id !== action.id) },
        state.selectedId === action.id ? { selectedId: null, selectedColumn: null } : undefined,
      );
    case 'removeColumn':
      return commit(
        state,
        mapSubform(draft, action.subformId, (columns) => columns.filter((c) => c.id !== action.columnId)),
        state.selectedColumn === `${action.subformId}/${action.columnId}` ? { selectedColumn: null } : undefined,
      );
    case 'duplicate': {
      const index = draft.fields.findIndex((f) => f.id === action.id);
      if (index < 0) return state;
      const copy = newField(draft.fields[index].type, allFieldIds(draft.fields));
      const clone: FieldDef = { ...structuredClone(draft.fields[index]), id: copy.id };
      const fields = draft.fields.slice();
      fields.splice(index + 1, 0, clone);
      return commit(state, { ...draft, fields }, { selectedId: clone.id, selectedColumn: null });
    }
    case 'select':
      return { ...state, selectedId: action.id, selectedColumn: action.column ?? null, lastCoalesce: null };
    case 'setName':
      return commit(state, { ...draft, name: action.name });
    case 'setSettings':
      return commit(state, { ...draft, settings: { ...draft.settings, ...action.patch } });
    case 'setRules':
      return commit(state, { ...draft, rules: action.rules });
    case 'undo': {
      if (!state.past.length) return state;
      const previous = state.past[state.past.length - 1];
      return { ...state, past: state.past.slice(0, -1), present: previous, future: [state.present, ...state.future], dirty: true, lastCoalesce: null };
    }
    case 'redo': {
      if (!state.future.length) return state;
      const [next, ...rest] = state.future;
      return { ...state, past: [...state.past, state.present], present: next, future: rest, dirty: true, lastCoalesce: null };
    }
  }
}
