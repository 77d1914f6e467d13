// Every user-facing string of the web app exists in both languages, and every key the code asks for exists.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/server.ts';

const i18nDir = join(repoRoot, 'web', 'src', 'i18n');
const load = (lang: string) => JSON.parse(readFileSync(join(i18nDir, `${lang}.json`), 'utf8')) as Record<string, unknown>;

function flatten(obj: Record<string, unknown>, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object') for (const [k, v] of flatten(value as Record<string, unknown>, path)) out.set(k, v);
    else out.set(path, String(value));
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.(tsx?|ts)$/.test(name) ? [path] : [];
  });
}

const zh = flatten(load('zh-CN'));
const en = flatten(load('en'));

describe('web translations', () => {
  it('has the same keys in zh-CN and en, none empty', () => {
    expect([...zh.keys()].filter((k) => !en.has(k))).toEqual([]);
    expect([...en.keys()].filter((k) => !zh.has(k))).toEqual([]);
    expect([...zh.entries(), ...en.entries()].filter(([, v]) => !v.trim()).map(([k]) => k)).toEqual([]);
  });

  it('uses the same interpolation variables in both languages', () => {
    const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort().join(',');
    expect([...zh.keys()].filter((k) => vars(zh.get(k)!) !== vars(en.get(k) ?? ''))).toEqual([]);
  });

  it('defines every key the code looks up', () => {
    const missing = new Set<string>();
    for (const file of sourceFiles(join(repoRoot, 'web', 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\bt\(\s*'([a-zA-Z][\w.-]*)'/g)) if (!zh.has(match[1])) missing.add(`${match[1]} (${file.slice(repoRoot.length)})`);
      // Keys built from a prefix (`designer.groups.${group}`) must at least have that prefix.
      for (const match of text.matchAll(/\bt\(\s*`([a-zA-Z][\w.]*)\.\$\{/g)) if (![...zh.keys()].some((k) => k.startsWith(`${match[1]}.`))) missing.add(`${match[1]}.* (${file.slice(repoRoot.length)})`);
    }
    expect([...missing]).toEqual([]);
  });
});
