export { registerTemplateRoutes } from './routes.ts';
export { ensureTemplateIndexes, TEMPLATE_INSTALLS, type InstallDoc } from './registry.ts';
export { TemplateInstaller, type InstallOptions, type InstallResult } from './installer.ts';
export { InstallRun } from './install-run.ts';
