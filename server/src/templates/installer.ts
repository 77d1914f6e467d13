import type { FastifyInstance, FastifyRequest } from 'fastify';
import { allForms, componentsOf, requirementsOf, rolesOf, type FormTemplate, type Template } from '@qiao/templates';
import { isAdmin } from '../platform/context.ts';
import { ApiError, forbidden, notFound } from '../http/problem.ts';
import { DuplicateKeyError } from '../store/port.ts';
import { audit } from '../audit/audit.ts';
import { ApiClient, InstallStepError } from './api-client.ts';
import { INSTALL_LOCKS, installId, installsOf, STALE_LOCK_MS, TEMPLATE_INSTALLS, type InstallDoc } from './registry.ts';
import { InstallRun, type InstallOptions, type InstallResult, type RoleDto } from './install-run.ts';

export type { InstallOptions, InstallResult } from './install-run.ts';

const newMarker = (tenantId: string, key: string, version: string, via: string, userId: string, now: string): InstallDoc => ({
  _id: installId(tenantId, key),
  key,
  version,
  via,
  status: 'installing',
  installedAt: now,
  installedBy: userId,
  apps: {},
  forms: {},
  roles: {},
  ledgers: {},
  automations: {},
  dashboards: {},
  deferred: {},
});

/**
 * Installs a template into the caller's tenant through the public API (in-process, with the caller's own token):
 * roles, apps, forms, workflows, permission groups, ledgers, automations, dashboards and sample data, so an install
 * is validated, permission-checked, hooked and audited exactly like the same requests from a person.
 *
 * All or nothing, by compensation: the API's writes are separate units of work, so every step registers how to undo
 * it and a failure undoes them all in reverse (resources with a DELETE route through it; forms and apps, which the
 * API never deletes, directly). The install markers, claimed first under primary keys, make a second or concurrent
 * install of the same template fail before anything is written.
 */
export class TemplateInstaller {
  private readonly forms: Map<string, FormTemplate>;

  constructor(
    private readonly app: FastifyInstance,
    private readonly templates: ReadonlyMap<string, Template>,
  ) {
    this.forms = allForms(templates);
  }

  async install(request: FastifyRequest, key: string, options: InstallOptions): Promise<InstallResult> {
    const started = performance.now();
    const { caller, db } = request;
    if (!this.templates.has(key)) throw notFound('template');
    if (!isAdmin(caller)) throw forbidden('only tenant admins can install templates');

    await this.lock(request, key);
    try {
      return await this.locked(request, key, options, started);
    } finally {
      await db.collection(INSTALL_LOCKS).deleteOne({ _id: db.tenantId });
    }
  }

  /** Taken before reading what is installed, so the reads and the wiring of one install never interleave with another's. */
  private async lock(request: FastifyRequest, key: string) {
    const { db, caller } = request;
    const locks = db.collection(INSTALL_LOCKS);
    // A lock left by a process that died mid-install is taken over once it is clearly stale.
    await locks.deleteMany({ _id: db.tenantId, at: { $lt: new Date(Date.now() - STALE_LOCK_MS).toISOString() } });
    try {
      await locks.insertOne({ _id: db.tenantId, key, by: caller.userId, at: new Date().toISOString() });
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
      const holder = await locks.findOne({ _id: db.tenantId });
      const theirs = holder && this.templates.has(String(holder.key)) ? componentsOf(String(holder.key), this.templates).map((p) => p.manifest.key).concat(String(holder.key)) : [];
      const mine = componentsOf(key, this.templates).map((p) => p.manifest.key).concat(key);
      if (mine.some((k) => theirs.includes(k))) throw new ApiError(409, 'already_installed', `${key} is being installed in this tenant right now`);
      throw new ApiError(409, 'install_in_progress', `${String(holder?.key ?? 'another template')} is being installed in this tenant; try again in a moment`);
    }
  }

  private async locked(request: FastifyRequest, key: string, options: InstallOptions, started: number): Promise<InstallResult> {
    const { caller, db } = request;
    const template = this.templates.get(key)!;
    const parts = componentsOf(key, this.templates);
    const partKeys = parts.map((p) => p.manifest.key);
    const installs = await installsOf(db);
    const byKey = new Map(installs.map((i) => [i.key, i]));
    const clash = [...new Set([key, ...partKeys])].filter((k) => byKey.has(k));
    if (clash.length) {
      const same = clash.every((k) => byKey.get(k)!.version === this.templates.get(k)?.manifest.version);
      const list = clash.map((k) => `${k} ${byKey.get(k)!.version}`).join(', ');
      throw new ApiError(409, 'already_installed', `${list} ${clash.length > 1 ? 'are' : 'is'} already installed in this tenant${same ? '' : '; upgrading an installed template is not supported'}`, {
        installed: clash.map((k) => ({ key: k, version: byKey.get(k)!.version, status: byKey.get(k)!.status })),
      });
    }
    const missing = requirementsOf(key, this.templates).filter((r) => byKey.get(r)?.status !== 'installed');
    if (missing.length) throw new ApiError(422, 'missing_requirement', `${key} needs ${missing.join(' and ')} installed first (or install the suite)`, { requires: missing });

    const client = new ApiClient(this.app, String(request.headers.authorization));
    const wantedRoles = rolesOf(key, this.templates);
    const tenantRoles = (await client.call<{ items: RoleDto[] }>('list roles', 'GET', '/api/v1/roles')).items;
    checkRoleMap(options.roleMap ?? {}, wantedRoles, tenantRoles);

    const now = new Date().toISOString();
    const markers = [...new Set([key, ...partKeys])].map((k) => newMarker(db.tenantId, k, this.templates.get(k)!.manifest.version, key, caller.userId, now));
    try {
      await db.transaction(async (tx) => {
        for (const m of markers) await tx.collection<InstallDoc>(TEMPLATE_INSTALLS).insertOne(m);
      });
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw new ApiError(409, 'already_installed', `${key} is being installed or was just installed in this tenant`);
      throw err;
    }

    const earlier = installs.filter((i) => i.status === 'installed');
    const run = new InstallRun(request, client, parts, markers, earlier, this.forms, this.templates);
    try {
      const result = await run.run(wantedRoles, tenantRoles, options);
      result.durationMs = Math.round(performance.now() - started);
      await db.transaction(async (tx) => {
        for (const m of markers) await tx.collection<InstallDoc>(TEMPLATE_INSTALLS).updateOne({ _id: m._id }, { $set: { ...m, status: 'installed', roles: result.roles } });
        for (const inst of run.touched.values()) {
          await tx.collection<InstallDoc>(TEMPLATE_INSTALLS).updateOne({ _id: inst._id }, { $set: { deferred: inst.deferred, ledgers: inst.ledgers, automations: inst.automations, dashboards: inst.dashboards } });
        }
        await audit(tx, caller, 'template.install', { type: 'template', id: key, name: template.manifest.name }, {
          version: template.manifest.version,
          parts: partKeys,
          apps: result.apps,
          forms: result.forms,
          roles: result.roles,
          ledgers: result.ledgers,
          automations: Object.keys(result.automations),
          dashboards: Object.keys(result.dashboards),
          sampleRecords: result.sampleRecords,
          deferred: result.deferred,
          pending: result.pending,
          wired: result.wired,
          durationMs: result.durationMs,
          apiCalls: client.calls,
        });
      });
      return result;
    } catch (err) {
      for (const step of [...run.undo].reverse()) {
        try {
          await step.run();
        } catch (undoErr) {
          request.log.error({ err: undoErr, step: step.what }, 'template install rollback step failed');
        }
      }
      await db.collection(TEMPLATE_INSTALLS).deleteMany({ _id: { $in: markers.map((m) => m._id) } });
      if (err instanceof InstallStepError) {
        throw new ApiError(500, 'template_install_failed', `installing ${key} failed at "${err.step}" and was rolled back: nothing was kept`, { step: err.step, stepStatus: err.status, cause: err.body });
      }
      throw err;
    }
  }
}

function checkRoleMap(roleMap: Record<string, string>, wanted: string[], tenantRoles: RoleDto[]) {
  const errors: { field: string; code: string; message: string }[] = [];
  for (const [roleKey, roleId] of Object.entries(roleMap)) {
    if (!wanted.includes(roleKey)) errors.push({ field: `roleMap.${roleKey}`, code: 'unknown_template_role', message: `the template has no role "${roleKey}" (it uses ${wanted.join(', ')})` });
    else if (!tenantRoles.some((r) => r.id === roleId)) errors.push({ field: `roleMap.${roleKey}`, code: 'unknown_role', message: `role ${roleId} does not exist in this tenant` });
  }
  if (errors.length) throw new ApiError(422, 'validation_failed', 'the role mapping is invalid', { errors });
}
