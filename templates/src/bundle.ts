import type { FormTemplate, Localized, Template, TemplateApp } from './types.ts';
import { ROLE_NAMES } from './types.ts';

/** The component templates an install of `key` consists of: the suite is its includes, any other template itself. */
export function componentsOf(key: string, templates: ReadonlyMap<string, Template>): Template[] {
  const template = templates.get(key);
  if (!template) throw new Error(`unknown template ${key}`);
  const includes = template.manifest.includes ?? [];
  if (includes.length === 0) return [template];
  return includes.map((k) => {
    const part = templates.get(k);
    if (!part) throw new Error(`template ${key} includes unknown template ${k}`);
    if (part.manifest.includes?.length) throw new Error(`template ${key} includes ${k}, which includes others: nesting is not supported`);
    return part;
  });
}

export function appsOf(key: string, templates: ReadonlyMap<string, Template>): TemplateApp[] {
  const own = templates.get(key)?.manifest.apps ?? [];
  return own.length ? own : componentsOf(key, templates).flatMap((t) => t.manifest.apps);
}

export function rolesOf(key: string, templates: ReadonlyMap<string, Template>): string[] {
  const keys = new Set(componentsOf(key, templates).flatMap((t) => t.manifest.roles));
  for (const r of templates.get(key)?.manifest.roles ?? []) keys.add(r);
  // Listed in the canonical order so every client shows them alike.
  return Object.keys(ROLE_NAMES).filter((r) => keys.has(r));
}

/** Templates (outside the install itself) that must already be installed. */
export function requirementsOf(key: string, templates: ReadonlyMap<string, Template>): string[] {
  const parts = componentsOf(key, templates);
  const inside = new Set(parts.map((p) => p.manifest.key));
  return [...new Set(parts.flatMap((p) => p.manifest.requires ?? []))].filter((r) => !inside.has(r));
}

export interface TemplateSummary {
  key: string;
  version: string;
  name: Localized;
  description: Localized;
  apps: { key: string; name: Localized }[];
  roles: { key: string; name: Localized }[];
  /** Keys of the templates this one installs (the suite: its four apps). */
  includes: string[];
  requires: string[];
  forms: string[];
}

export function summarize(key: string, templates: ReadonlyMap<string, Template>): TemplateSummary {
  const template = templates.get(key);
  if (!template) throw new Error(`unknown template ${key}`);
  const parts = componentsOf(key, templates);
  return {
    key,
    version: template.manifest.version,
    name: template.manifest.name,
    description: template.manifest.description,
    apps: appsOf(key, templates).map((a) => ({ key: a.key, name: a.name })),
    roles: rolesOf(key, templates).map((r) => ({ key: r, name: ROLE_NAMES[r] })),
    includes: parts.map((p) => p.manifest.key),
    requires: requirementsOf(key, templates),
    forms: parts.flatMap((p) => p.forms.map((f) => f.key)),
  };
}

/** Every form template by key, across all templates (keys are unique across templates). */
export function allForms(templates: ReadonlyMap<string, Template>): Map<string, FormTemplate> {
  const out = new Map<string, FormTemplate>();
  for (const t of templates.values()) for (const f of t.forms) out.set(f.key, f);
  return out;
}
