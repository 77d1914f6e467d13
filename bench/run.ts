import { benchCore } from './core.ts';
import { benchForms } from './forms.ts';
import { benchWorkflow } from './workflow.ts';
import { benchPermissions } from './permissions.ts';
import { benchDashboards } from './dashboards.ts';
import { benchAutomation } from './automation.ts';
import { benchTemplates } from './templates.ts';
import { printFigures, type Figure } from './lib.ts';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const scenarios: [string, () => Promise<Figure[]>][] = [
  ['core', () => benchCore({ quick })],
  ['forms', () => benchForms({ quick })],
  ['workflow', () => benchWorkflow({ quick })],
  ['permissions', () => benchPermissions({ quick })],
  ['dashboards', () => benchDashboards({ quick })],
  ['automation', () => benchAutomation({ quick })],
  ['templates', () => benchTemplates({ quick })],
  ['designer', async () => (await import('./designer.ts')).benchDesigner({ quick })],
];

const all: Figure[] = [];
for (const [name, run] of scenarios) {
  if (only && !only.split(',').includes(name)) continue;
  console.log(`\n== ${name} ==`);
  const figures = await run();
  printFigures(figures);
  all.push(...figures);
}
const failed = all.filter((f) => f.pass === false);
console.log(`\n${all.length} figures, ${failed.length} below target`);
process.exit(0);
