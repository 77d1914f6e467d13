/**
 * @qiao/templates — the shipped template apps (CRM, ERP 进销存, OA, finance and the suite wiring them together)
 * and the helpers to load, check and shape them for installation.
 */
export * from './types.ts';
export { loadTemplate, loadTemplates, templateFolders, TEMPLATES_ROOT, TEMPLATE_KEYS } from './load.ts';
export { componentsOf, appsOf, rolesOf, requirementsOf, summarize, allForms, type TemplateSummary } from './bundle.ts';
export { shapeForm, creationOrder, formDependencies, fieldTargets, addDeferred, type ShapedForm } from './shape.ts';
export { formRefs, ledgerRefs, roleRefs, sampleRefs, mapRefs, resolveSampleValue, type KeyMaps } from './refs.ts';
export { checkTemplates, type TemplateProblem } from './check.ts';
