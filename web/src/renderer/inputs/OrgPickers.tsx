import { Select, TreeSelect } from 'antd';
import { useMemo } from 'react';
import { useDepartments, useMembers } from '../../api/queries.ts';
import type { Department } from '../../api/types.ts';

interface PickerProps<V> {
  id?: string;
  ariaLabel: string;
  value: V | undefined;
  onChange: (value: V | undefined) => void;
  disabled?: boolean;
  status?: 'error';
}

export function MemberPicker({ multiple, ...props }: PickerProps<string | string[]> & { multiple: boolean }) {
  const members = useMembers();
  const options = (members.data ?? []).filter((m) => !m.disabled || (Array.isArray(props.value) ? props.value.includes(m.id) : props.value === m.id)).map((m) => ({ value: m.id, label: m.name, title: m.email }));
  return (
    <Select
      id={props.id}
      aria-label={props.ariaLabel}
      mode={multiple ? 'multiple' : undefined}
      allowClear
      showSearch={{ optionFilterProp: 'label' }}
      loading={members.isLoading}
      value={props.value}
      onChange={(v) => props.onChange(v ?? undefined)}
      options={options}
      disabled={props.disabled}
      status={props.status}
      style={{ width: '100%' }}
    />
  );
}

interface TreeNode {
  value: string;
  title: string;
  children: TreeNode[];
}

export function departmentTree(departments: Department[]): TreeNode[] {
  const nodes = new Map<string, TreeNode>(departments.map((d) => [d.id, { value: d.id, title: d.name, children: [] }]));
  const roots: TreeNode[] = [];
  for (const d of departments) {
    const node = nodes.get(d.id)!;
    const parent = d.parentId ? nodes.get(d.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

export function DepartmentPicker({ multiple, ...props }: PickerProps<string | string[]> & { multiple: boolean }) {
  const departments = useDepartments();
  const tree = useMemo(() => departmentTree(departments.data ?? []), [departments.data]);
  return (
    <TreeSelect
      id={props.id}
      aria-label={props.ariaLabel}
      multiple={multiple}
      allowClear
      showSearch
      treeNodeFilterProp="title"
      treeDefaultExpandAll
      loading={departments.isLoading}
      value={props.value}
      onChange={(v) => props.onChange((v as string | string[] | undefined) ?? undefined)}
      treeData={tree}
      disabled={props.disabled}
      status={props.status}
      style={{ width: '100%' }}
    />
  );
}

/** Resolves member and department ids to names for read-only display (grid cells, history). */
export function useOrgNames() {
  const members = useMembers();
  const departments = useDepartments();
  return useMemo(() => {
    const names = new Map<string, string>();
    for (const m of members.data ?? []) names.set(m.id, m.name);
    for (const d of departments.data ?? []) names.set(d.id, d.name);
    return names;
  }, [members.data, departments.data]);
}
