import type { FastifyRequest } from 'fastify';
import {
  addDeferred,
  creationOrder,
  formRefs,
  ledgerRefs,
  mapRefs,
  resolveSampleValue,
  ROLE_NAMES,
  sampleRefs,
  shapeForm,
  type AutomationTemplate,
  type DashboardTemplate,
  type FormTemplate,
  type LedgerTemplate,
  type Template,
} from '@qiao/templates';
import type { TenantDb } from '../platform/tenant-db.ts';
import type { ApiClient } from './api-client.ts';
import type { InstallDoc } from './registry.ts';
import { purgeApp, purgeForm } from './purge.ts';

export interface InstallOptions {
  /** Template role key → an existing role of the tenant to use instead of creating one. */
  roleMap?: Record<string, string>;
  /** Load the templates' sample records (default true). */
  sampleData?: boolean;
}

export interface InstallResult {
  apps: { id: string; key: string }[];
  forms: Record<string, string>;
  /** The app each form of this install belongs to (form key → app id), for links to `/apps/:appId/forms/:formId`. */
  formApps: Record<string, string>;
  roles: Record<string, string>;
  ledgers: Record<string, string>;
  automations: Record<string, string>;
  dashboards: Record<string, string>;
  /** Fields left out because the form they point at is not installed (yet), per form key. */
  deferred: Record<string, string[]>;
  /** Automations, ledgers and dashboards waiting for a template that is not installed (yet). */
  pending: string[];
  /** Parts of earlier installs this install completed (deferred fields added, waiting items created). */
  wired: string[];
  sampleRecords: number;
  durationMs: number;
  /** Milliseconds per phase, for the benchmark. */
  phases: Record<string, number>;
}

export interface RoleDto {
  id: string;
  key?: string;
  memberIds: string[];
}

type Item = { kind: 'ledger'; t: LedgerTemplate } | { kind: 'automation'; t: AutomationTemplate } | { kind: 'dashboard'; t: DashboardTemplate };
const ITEM_FIELD = { ledger: 'ledgers', automation: 'automations', dashboard: 'dashboards' } as const;

/**
 * Runs every task and waits for all of them before failing with the first error, so each task that succeeded has
 * registered its undo step before the rollback starts. Independent API calls run together on purpose: the embedded
 * store commits concurrent writes in one group commit, which is what keeps an install of the suite quick.
 */
async function settleAll<T>(tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results = await Promise.allSettled(tasks.map((task) => task()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** `YYYY-MM-DD` in the tenant's zone, for `$today` in sample data. */
function today(timeZone = 'Asia/Shanghai') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** One install in progress: what it created so far, how to undo it, and how template keys map to ids. */
export class InstallRun {
  readonly undo: { what: string; run: () => Promise<void> }[] = [];
  readonly result: InstallResult = { apps: [], forms: {}, formApps: {}, roles: {}, ledgers: {}, automations: {}, dashboards: {}, deferred: {}, pending: [], wired: [], sampleRecords: 0, durationMs: 0, phases: {} };
  /** Earlier installs this one changed (wired fields or waiting items), to save with the new markers. */
  readonly touched = new Map<string, InstallDoc>();
  private readonly formIds = new Map<string, string>();
  private readonly ledgerIds = new Map<string, string>();
  private readonly roleIds = new Map<string, string>();
  private readonly appIds = new Map<string, string>();
  private readonly installedFields = new Map<string, Set<string>>();
  private readonly markerOf: Map<string, InstallDoc>;
  private readonly db: TenantDb;
  private lap = performance.now();

  constructor(
    private readonly request: FastifyRequest,
    private readonly client: ApiClient,
    private readonly parts: Template[],
    private readonly markers: InstallDoc[],
    private readonly earlier: InstallDoc[],
    private readonly formTemplates: ReadonlyMap<string, FormTemplate>,
    private readonly templates: ReadonlyMap<string, Template>,
  ) {
    this.db = request.db;
    this.markerOf = new Map(markers.map((m) => [m.key, m]));
    // Forms and ledgers installed before (by other templates) resolve like this install's own.
    for (const inst of earlier) {
      for (const [k, id] of Object.entries(inst.forms)) this.formIds.set(k, id);
      for (const [k, id] of Object.entries(inst.ledgers)) this.ledgerIds.set(k, id);
    }
  }

  private phase(name: string) {
    const at = performance.now();
    this.result.phases[name] = Math.round(at - this.lap);
    this.lap = at;
  }

  private onUndo(what: string, run: () => Promise<unknown>) {
    this.undo.push({ what, run: async () => void (await run()) });
  }

  async run(wantedRoles: string[], tenantRoles: RoleDto[], options: InstallOptions): Promise<InstallResult> {
    await this.roles(wantedRoles, tenantRoles, options.roleMap ?? {});
    this.phase('roles');
    await this.apps();
    this.phase('apps');
    await this.forms();
    this.phase('forms');
    await this.wireDeferredFields();
    this.phase('wiring');
    await this.workflows();
    this.phase('workflows');
    await this.permissionGroups();
    this.phase('permissions');
    await this.items();
    this.phase('items');
    if (options.sampleData !== false) await this.sampleData();
    this.phase('sampleData');
    return this.result;
  }

  /** Mapped, found by key, or created; the installing admin joins `admin` (who approves purchase requests). */
  private async roles(wanted: string[], tenantRoles: RoleDto[], roleMap: Record<string, string>) {
    const me = this.request.caller.userId;
    await settleAll(
      wanted.map((roleKey) => async () => {
        const mapped = roleMap[roleKey];
        const existing = mapped ? tenantRoles.find((r) => r.id === mapped) : tenantRoles.find((r) => r.key === roleKey);
        const joins = roleKey === 'admin' ? [me] : [];
        if (existing) {
          this.roleIds.set(roleKey, existing.id);
          if (joins.length && !existing.memberIds.includes(me)) {
            const before = existing.memberIds;
            await this.client.call(`add the installer to role ${roleKey}`, 'PATCH', `/api/v1/roles/${existing.id}`, { memberIds: [...before, me] });
            this.onUndo(`role ${roleKey} members`, () => this.client.call('restore role members', 'PATCH', `/api/v1/roles/${existing.id}`, { memberIds: before }));
          }
          return;
        }
        const created = await this.client.call<RoleDto>(`create role ${roleKey}`, 'POST', '/api/v1/roles', { name: ROLE_NAMES[roleKey], key: roleKey, ...(joins.length ? { memberIds: joins } : {}) });
        this.onUndo(`role ${roleKey}`, () => this.client.call('delete role', 'DELETE', `/api/v1/roles/${created.id}`));
        this.roleIds.set(roleKey, created.id);
      }),
    );
    this.result.roles = Object.fromEntries(wanted.map((k) => [k, this.roleIds.get(k)!]));
  }

  private async apps() {
    const apps = this.parts.flatMap((part) => part.manifest.apps.map((app) => ({ part, app })));
    const created = await settleAll(
      apps.map(({ part, app }) => async () => {
        const res = await this.client.call<{ id: string }>(`create app ${app.key}`, 'POST', '/api/v1/apps', { name: app.name, key: app.key, ...(app.description ? { description: app.description } : {}), ...(app.icon ? { icon: app.icon } : {}) });
        this.onUndo(`app ${app.key}`, () => purgeApp(this.db, res.id));
        this.appIds.set(app.key, res.id);
        this.markerOf.get(part.manifest.key)!.apps[app.key] = res.id;
        return { id: res.id, key: app.key };
      }),
    );
    this.result.apps = created;
  }

  /**
   * Two passes, each with every form at once (one group commit per step of the forms API instead of one per form):
   * first the forms without the fields pointing at each other, then those fields, once every form has its id.
   * Fields pointing at forms of templates that are not installed wait (deferred) until those templates are.
   */
  private async forms() {
    const partOf = new Map(this.parts.flatMap((p) => p.forms.map((f) => [f.key, p.manifest.key] as const)));
    const forms = this.parts.flatMap((p) => p.forms);
    // A cycle between the forms is refused (creationOrder names it) rather than installed half-linked.
    creationOrder(forms);
    const before = new Map(this.formIds);
    const body = (form: FormTemplate, shaped: ReturnType<typeof shapeForm>) => ({
      key: form.key,
      name: form.name,
      ...(form.description ? { description: form.description } : {}),
      fields: shaped.fields,
      rules: shaped.rules,
      settings: shaped.settings,
    });
    const firstPass = new Map<string, ReturnType<typeof shapeForm>>();
    await settleAll(
      forms.map((form) => async () => {
        const shaped = shapeForm(form, (k) => before.get(k));
        firstPass.set(form.key, shaped);
        const created = await this.client.call<{ id: string }>(`create form ${form.key}`, 'POST', `/api/v1/apps/${this.appIds.get(form.app)}/forms`, body(form, shaped));
        this.onUndo(`form ${form.key}`, () => purgeForm(this.db, created.id));
        this.formIds.set(form.key, created.id);
        this.markerOf.get(partOf.get(form.key)!)!.forms[form.key] = created.id;
        this.result.forms[form.key] = created.id;
        this.result.formApps[form.key] = this.appIds.get(form.app)!;
      }),
    );
    await settleAll(
      forms.map((form) => async () => {
        const shaped = shapeForm(form, (k) => this.formIds.get(k));
        this.installedFields.set(form.key, new Set(shaped.fields.map((f) => f.id)));
        if (shaped.deferred.length) {
          this.markerOf.get(partOf.get(form.key)!)!.deferred[form.key] = shaped.deferred;
          this.result.deferred[form.key] = shaped.deferred;
        }
        if (shaped.deferred.length === firstPass.get(form.key)!.deferred.length) return;
        await this.client.call(`link form ${form.key}`, 'PUT', `/api/v1/forms/${this.formIds.get(form.key)}`, body(form, shaped));
      }),
    );
  }

  /** Earlier installs' forms get back the fields that were waiting for the forms this install brought. */
  private async wireDeferredFields() {
    const tasks: (() => Promise<void>)[] = [];
    for (const inst of this.earlier) {
      for (const [formKey, paths] of Object.entries(inst.deferred ?? {})) {
        const template = this.formTemplates.get(formKey);
        const formId = inst.forms[formKey];
        if (!template || !formId) continue;
        const shaped = shapeForm(template, (k) => this.formIds.get(k));
        const ready = paths.filter((p) => !shaped.deferred.includes(p));
        if (!ready.length) continue;
        const record = this.touched.get(inst._id) ?? { ...inst, deferred: { ...inst.deferred } };
        this.touched.set(inst._id, record);
        const remaining = paths.filter((p) => !ready.includes(p));
        if (remaining.length) record.deferred[formKey] = remaining;
        else delete record.deferred[formKey];
        this.result.wired.push(...ready.map((p) => `${formKey}.${p.replace('#linkage', ' (linkage)')}`));
        tasks.push(async () => {
          type Stored = { name: unknown; description?: unknown; fields: never[]; rules: unknown[]; settings: Record<string, unknown> };
          const current = await this.client.call<Stored>(`read form ${formKey}`, 'GET', `/api/v1/forms/${formId}`);
          const body = (fields: unknown[]) => ({ name: current.name, ...(current.description ? { description: current.description } : {}), fields, rules: current.rules, settings: current.settings });
          await this.client.call(`wire form ${formKey}`, 'PUT', `/api/v1/forms/${formId}`, body(addDeferred(current.fields, shaped.fields, new Set(ready))));
          this.onUndo(`unwire form ${formKey}`, () => this.client.call('restore form', 'PUT', `/api/v1/forms/${formId}`, body(current.fields)));
          await this.permissionsOfWiredFields(inst, formKey, formId, new Set(ready.filter((p) => !p.includes('.') && !p.includes('#'))));
        });
      }
    }
    await settleAll(tasks);
  }

  /** A field added by wiring gets the setting the template's permission groups give it (hidden from the warehouse...). */
  private async permissionsOfWiredFields(inst: InstallDoc, formKey: string, formId: string, added: Set<string>) {
    const file = this.templates.get(inst.key)?.permissionGroups.find((g) => g.form === formKey);
    const wanted = (file?.groups ?? []).filter((g) => Object.keys(g.fields ?? {}).some((id) => added.has(id)));
    if (!wanted.length) return;
    type Group = { id: string; name: { en?: string } | string; fields: Record<string, string> };
    const installed = (await this.client.call<{ items: Group[] }>(`read permission groups of ${formKey}`, 'GET', `/api/v1/forms/${formId}/permission-groups`)).items;
    for (const group of wanted) {
      // Found by the name the template gave it; a group the tenant renamed or deleted is theirs to manage.
      const target = installed.find((g) => typeof g.name === 'object' && g.name.en === group.name.en);
      if (!target) continue;
      const extra = Object.fromEntries(Object.entries(group.fields ?? {}).filter(([id]) => added.has(id)));
      await this.client.call(`permission group "${group.name.en}" of ${formKey}`, 'PATCH', `/api/v1/forms/${formId}/permission-groups/${target.id}`, { fields: { ...target.fields, ...extra } });
      this.onUndo(`restore permission group "${group.name.en}"`, () => this.client.call('restore permission group', 'PATCH', `/api/v1/forms/${formId}/permission-groups/${target.id}`, { fields: target.fields }));
    }
  }

  /** Saved and published, so records start them at once. Forms are deleted with their workflows on rollback. */
  private async workflows() {
    await settleAll(
      this.parts.flatMap((p) => p.workflows).map((wf) => async () => {
        const formId = this.formIds.get(wf.form)!;
        const definition = mapRefs(wf.definition, { forms: this.formIds, roles: this.roleIds });
        await this.client.call(`save workflow of ${wf.form}`, 'PUT', `/api/v1/forms/${formId}/workflow`, definition);
        await this.client.call(`publish workflow of ${wf.form}`, 'POST', `/api/v1/forms/${formId}/workflow/publish`, {});
      }),
    );
  }

  private async permissionGroups() {
    const tasks = this.parts
      .flatMap((p) => p.permissionGroups)
      .flatMap((file) =>
        file.groups.map((group) => async () => {
          const fields = this.installedFields.get(file.form)!;
          await this.client.call(`permission group "${group.name.en}" of ${file.form}`, 'POST', `/api/v1/forms/${this.formIds.get(file.form)}/permission-groups`, {
            name: group.name,
            ...(group.description ? { description: group.description } : {}),
            grantees: { roleIds: group.roles.map((r) => this.roleIds.get(r)!) },
            actions: group.actions,
            scope: group.scope,
            // A field left out (deferred) has no permission yet; the form's defaults apply once it is added.
            fields: Object.fromEntries(Object.entries(group.fields ?? {}).filter(([id]) => fields.has(id))),
          });
        }),
      );
    await settleAll(tasks);
  }

  /** Ledgers, automations and dashboards: this install's, and earlier installs' that were waiting for its forms. */
  private async items() {
    const itemsOf = (t: Template): Item[] => [
      ...t.ledgers.map((l) => ({ kind: 'ledger' as const, t: l })),
      ...t.automations.map((a) => ({ kind: 'automation' as const, t: a })),
      ...t.dashboards.map((d) => ({ kind: 'dashboard' as const, t: d })),
    ];
    const candidates: { owner: InstallDoc; appId: string; item: Item }[] = [];
    for (const part of this.parts) {
      for (const item of itemsOf(part)) candidates.push({ owner: this.markerOf.get(part.manifest.key)!, appId: this.appIds.get(item.t.app)!, item });
    }
    for (const inst of this.earlier) {
      const template = this.templates.get(inst.key);
      if (!template) continue;
      for (const item of itemsOf(template)) {
        if (inst[ITEM_FIELD[item.kind]][item.t.key]) continue;
        candidates.push({ owner: inst, appId: inst.apps[item.t.app], item });
      }
    }
    // Fields still left out, per form: an item that names one (a mapped column, a watched field) waits as well.
    const missingFields = new Map<string, string[]>();
    for (const inst of [...this.markers, ...this.earlier.map((i) => this.touched.get(i._id) ?? i)]) {
      for (const [formKey, paths] of Object.entries(inst.deferred ?? {})) {
        const leaves = paths.filter((p) => !p.includes('#')).map((p) => p.split('.').pop()!);
        if (leaves.length) missingFields.set(formKey, leaves);
      }
    }
    const ready = (item: Item) => {
      const forms = [...formRefs(item.t)];
      if (!forms.every((k) => this.formIds.has(k)) || ![...ledgerRefs(item.t)].every((k) => this.ledgerIds.has(k))) return false;
      const text = JSON.stringify(item.t);
      return !forms.some((k) => (missingFields.get(k) ?? []).some((leaf) => new RegExp(`\\b${leaf}\\b`).test(text)));
    };
    // Ledgers first: automations and dashboards read them.
    for (const kinds of [['ledger'], ['automation', 'dashboard']]) {
      await settleAll(
        candidates
          .filter((c) => kinds.includes(c.item.kind))
          .flatMap(({ owner, appId, item }) => {
            const mine = this.markers.includes(owner);
            if (!ready(item)) {
              if (mine) this.result.pending.push(`${item.kind}:${item.t.key}`);
              return [];
            }
            return [async () => this.createItem(owner, mine, appId, item)];
          }),
      );
    }
  }

  private async createItem(owner: InstallDoc, mine: boolean, appId: string, item: Item) {
    const maps = { forms: this.formIds, ledgers: this.ledgerIds, roles: this.roleIds };
    const { key, app: _app, ...body } = item.t;
    let id: string;
    if (item.kind === 'ledger') {
      const created = await this.client.call<{ id: string }>(`create ledger ${key}`, 'POST', `/api/v1/apps/${appId}/ledgers`, mapRefs({ ...body, key, constraints: item.t.constraints ?? [] }, maps));
      id = created.id;
      this.ledgerIds.set(key, id);
      this.onUndo(`ledger ${key}`, () => this.client.call('delete ledger', 'DELETE', `/api/v1/ledgers/${id}`));
    } else if (item.kind === 'automation') {
      id = (await this.client.call<{ id: string }>(`create automation ${key}`, 'POST', `/api/v1/apps/${appId}/automations`, mapRefs(body, maps))).id;
      this.onUndo(`automation ${key}`, () => this.client.call('delete automation', 'DELETE', `/api/v1/automations/${id}`));
    } else {
      id = (await this.client.call<{ id: string }>(`create dashboard ${key}`, 'POST', `/api/v1/apps/${appId}/dashboards`, mapRefs(body, maps))).id;
      this.onUndo(`dashboard ${key}`, () => this.client.call('delete dashboard', 'DELETE', `/api/v1/dashboards/${id}`));
    }
    if (mine) {
      owner[ITEM_FIELD[item.kind]][key] = id;
      this.result[ITEM_FIELD[item.kind]][key] = id;
    } else {
      const record = this.touched.get(owner._id) ?? { ...owner, ledgers: { ...owner.ledgers }, automations: { ...owner.automations }, dashboards: { ...owner.dashboards } };
      record[ITEM_FIELD[item.kind]][key] = id;
      this.touched.set(owner._id, record);
      this.result.wired.push(`${item.kind}:${key}`);
    }
  }

  /** Last, so automations and ledgers treat sample records like any others; a file may point at earlier files' records. */
  private async sampleData() {
    const ctx = { records: new Map<string, string>(), userId: this.request.caller.userId, today: today() };
    // Files in rounds: a file runs once the files defining the records it points at have run.
    const files = this.parts.flatMap((part) => part.sampleData.map((file, i) => ({ file, label: part.manifest.sampleData?.[i] ?? file.form })));
    const definedBy = new Map(files.flatMap(({ file }, i) => file.records.flatMap((r) => (r.ref ? [[r.ref, i] as const] : []))));
    const round = new Map<number, number>();
    const roundOf = (i: number): number => {
      if (!round.has(i)) round.set(i, Math.max(-1, ...[...sampleRefs(files[i].file)].map((ref) => definedBy.get(ref)).filter((j): j is number => j !== undefined && j !== i).map(roundOf)) + 1);
      return round.get(i)!;
    };
    const rounds: number[][] = [];
    files.forEach((_, i) => (rounds[roundOf(i)] ??= []).push(i));
    for (const indexes of rounds) {
      await settleAll(
        indexes.flatMap((i) => {
          const { file, label } = files[i];
          const formId = this.formIds.get(file.form)!;
          return file.records.map((record, n) => async () => {
            const data = resolveSampleValue(record.data, ctx) as Record<string, unknown>;
            const created = await this.client.call<{ id: string }>(`sample record ${n + 1} of ${label}`, 'POST', `/api/v1/forms/${formId}/records`, { data });
            if (record.ref) ctx.records.set(record.ref, created.id);
            this.result.sampleRecords++;
          });
        }),
      );
    }
  }
}
