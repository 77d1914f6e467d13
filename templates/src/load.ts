import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Template, TemplateManifest } from './types.ts';

/** The folder holding one sub-folder per template. */
export const TEMPLATES_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The order templates are listed in; every folder with a manifest must appear here. */
export const TEMPLATE_KEYS = ['suite', 'crm', 'erp', 'oa', 'finance'] as const;

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new Error(`template file ${file}: ${(err as Error).message}`);
  }
}

/** Every `*.json` of a template sub-folder, in file-name order (so installs are deterministic). */
function readAll<T>(dir: string, sub: string): T[] {
  const folder = join(dir, sub);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => readJson<T>(join(folder, name)));
}

export function loadTemplate(key: string, root = TEMPLATES_ROOT): Template {
  const dir = join(root, key);
  const manifest = readJson<TemplateManifest>(join(dir, 'manifest.json'));
  const sampleDir = join(dir, 'sample-data');
  return {
    manifest,
    forms: readAll(dir, 'forms'),
    workflows: readAll(dir, 'workflows'),
    automations: readAll(dir, 'automations'),
    ledgers: readAll(dir, 'ledgers'),
    permissionGroups: readAll(dir, 'permission-groups'),
    dashboards: readAll(dir, 'dashboards'),
    sampleData: (manifest.sampleData ?? []).map((file) => readJson(join(sampleDir, file))),
  };
}

let cache: Map<string, Template> | undefined;

/** All shipped templates, read once per process (they are files of the release, not data). */
export function loadTemplates(root = TEMPLATES_ROOT): Map<string, Template> {
  if (root === TEMPLATES_ROOT && cache) return cache;
  const out = new Map<string, Template>();
  for (const key of TEMPLATE_KEYS) out.set(key, loadTemplate(key, root));
  if (root === TEMPLATES_ROOT) cache = out;
  return out;
}

/** The folders that hold a manifest, to catch a template that was added without being listed. */
export function templateFolders(root = TEMPLATES_ROOT): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'manifest.json')))
    .map((d) => d.name)
    .sort();
}
