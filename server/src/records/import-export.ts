import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import multipart from '@fastify/multipart';
import ExcelJS from 'exceljs';
import { PassThrough } from 'node:stream';
import { localize } from '@qiao/form-engine';
import type { Services } from '../platform/context.ts';
import { newId } from '../platform/ids.ts';
import { ApiError, badRequest } from '../http/problem.ts';
import { getForm, recordsCollection, type FormDoc } from '../forms/store.ts';
import { accessFor, callerOrg } from '../access/index.ts';
import { audit } from '../audit/audit.ts';
import { multipartOptions } from '../files/routes.ts';
import { tooLarge } from '../files/upload.ts';
import { afterCursor, cursorValues } from './cursor.ts';
import { compileFilter, parseFilterParam, parseProjection, parseSort } from './query.ts';
import type { RecordDoc, RecordService } from './service.ts';
import { readSheet } from './excel/read-sheet.ts';
import { mappingPreview, resolveMapping } from './excel/mapping.ts';
import { convertRecord, excelRowOf, groupRecords, type ConvertedRecord, type RowError } from './excel/import-rows.ts';
import { importLookups } from './excel/lookups.ts';
import { excelValue, exportColumns, loadNameBook, sheetName, systemValue, type ExcelValue } from './excel/write-sheet.ts';

const TIME_ZONE = 'Asia/Shanghai';
const MAX_EXPORT_ROWS = 100_000;
const EXPORT_BATCH = 1000;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const formParams = { type: 'object', required: ['formId'], properties: { formId: { type: 'string', maxLength: 64 } } } as const;
const flag = { type: 'string', enum: ['true', 'false', '1', '0'] } as const;
const importQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { dryRun: flag, partial: flag, silent: flag, lang: { type: 'string', enum: ['zh-CN', 'en'] } },
} as const;
const exportQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    filter: { type: 'string', maxLength: 20_000 },
    sort: { type: 'string', maxLength: 1000 },
    fields: { type: 'string', maxLength: 4000 },
    lang: { type: 'string', enum: ['zh-CN', 'en'] },
  },
} as const;

const truthy = (v: unknown) => v === 'true' || v === '1';

interface ImportUpload {
  bytes: Buffer;
  filename: string;
  fields: Record<string, string>;
}

/** The uploaded workbook and the form fields sent with it (mapping, and the flags when sent as fields). */
async function readImportUpload(request: FastifyRequest): Promise<ImportUpload> {
  if (!request.isMultipart()) throw new ApiError(415, 'unsupported_media_type', 'send the file as multipart/form-data');
  let file: { bytes: Buffer; filename: string } | undefined;
  const fields: Record<string, string> = {};
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        file ??= { bytes, filename: part.filename ?? '' };
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    throw err;
  }
  if (!file) throw new ApiError(422, 'validation_failed', 'no file in the upload', { errors: [{ field: 'file', code: 'required', message: 'send an .xlsx or .csv file as field "file"' }] });
  return { ...file, fields };
}

function parseMapping(raw: string | undefined): Record<string, string> | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw badRequest('invalid_mapping', 'mapping is not valid JSON', { field: 'mapping' });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new ApiError(422, 'invalid_mapping', 'mapping must be an object { columnHeader: fieldId }', { errors: [{ field: 'mapping', code: 'type', message: 'must be { columnHeader: fieldId }' }] });
  }
  return value as Record<string, string>;
}

/** Group row errors per Excel row, for the import report. */
function byRow(errors: RowError[]) {
  const rows = new Map<number, Omit<RowError, 'row'>[]>();
  for (const { row, ...rest } of errors) rows.set(row, [...(rows.get(row) ?? []), rest]);
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([row, list]) => ({ row, errors: list }));
}

/** Unique fields: a value twice in the file, or already stored, fails the later row (with the holder's id). */
async function checkUnique(request: FastifyRequest, form: FormDoc, records: { converted: ConvertedRecord; data?: Record<string, unknown> }[]) {
  const col = request.db.collection<RecordDoc>(recordsCollection(form._id));
  for (const field of form.fields.filter((f) => f.unique)) {
    const firstRow = new Map<string, number>();
    const values: unknown[] = [];
    for (const r of records) {
      const value = r.data?.[field.id];
      if (value === undefined) continue;
      const key = JSON.stringify(value);
      const seen = firstRow.get(key);
      if (seen !== undefined) r.converted.errors.push({ row: r.converted.row, field: field.id, code: 'duplicate', message: `same value as row ${seen}` });
      else {
        firstRow.set(key, r.converted.row);
        values.push(value);
      }
    }
    const existing = new Map<string, string>();
    for (let i = 0; i < values.length; i += 500) {
      const chunk = values.slice(i, i + 500);
      const hits = await col.find({ [`data.${field.id}`]: { $in: chunk } }, { projection: { _id: 1, [`data.${field.id}`]: 1 } });
      for (const h of hits) existing.set(JSON.stringify(h.data?.[field.id]), h._id);
    }
    if (!existing.size) continue;
    for (const r of records) {
      const holder = r.data?.[field.id] === undefined ? undefined : existing.get(JSON.stringify(r.data[field.id]));
      if (holder) r.converted.errors.push({ row: r.converted.row, field: field.id, code: 'duplicate', message: `another record (${holder}) already has this value`, existingId: holder });
    }
  }
}

export async function registerImportExportRoutes(app: FastifyInstance, services: Services, records: RecordService) {
  await app.register(async (scope) => {
    await scope.register(multipart, multipartOptions);

    scope.post<{ Params: FromSchema<typeof formParams>; Querystring: FromSchema<typeof importQuery> }>(
      '/api/v1/forms/:formId/import',
      { schema: { tags: ['records'], params: formParams, querystring: importQuery, consumes: ['multipart/form-data'] } },
      async (request, reply) => {
        const form = await getForm(request.db, request.params.formId);
        const access = await accessFor(request, form);
        access.assert('import');
        const upload = await readImportUpload(request);
        const option = (name: 'dryRun' | 'partial' | 'silent') => truthy(request.query[name] ?? upload.fields[name]);
        const dryRun = option('dryRun');
        const partial = option('partial');
        const lang = request.query.lang ?? upload.fields.lang ?? 'zh-CN';

        const sheet = await readSheet(upload.bytes, upload.filename);
        if (sheet.headers.length === 0) throw new ApiError(422, 'empty_file', 'the file has no header row', { errors: [{ field: 'file', code: 'empty', message: 'the first row must name the columns' }] });
        const mapping = resolveMapping(form, sheet.headers, parseMapping(upload.fields.mapping));
        if (mapping.errors.length) throw new ApiError(422, 'invalid_mapping', 'the column mapping is invalid', { errors: mapping.errors });
        if (mapping.columns.length === 0) {
          throw new ApiError(422, 'invalid_mapping', 'no column of the file matches a field of the form', { errors: [{ field: 'mapping', code: 'no_columns', message: 'map at least one column to a field' }], unmapped: mapping.unmapped });
        }
        if (!access.full) {
          const editable = access.editableFields('submit');
          const refused = [...new Set(mapping.columns.map((c) => c.fieldId))].filter((id) => !editable.has(id));
          if (refused.length) throw new ApiError(422, 'field_not_editable', 'the file fills fields you may not edit', { errors: refused.map((field) => ({ field, code: 'field_not_editable', message: 'you may not fill this field' })) });
        }

        const now = new Date();
        const lookups = importLookups(services, request.db);
        const prepared: { id: string; converted: ConvertedRecord; data?: Record<string, unknown> }[] = [];
        for (const group of groupRecords(sheet, mapping.columns)) {
          const converted = await convertRecord(form, group, mapping.columns, lookups, TIME_ZONE);
          const id = newId();
          const failed = new Set(converted.errors.map((e) => `${e.field}|${e.subformRow ?? ''}|${e.column ?? ''}`));
          let data: Record<string, unknown> | undefined;
          try {
            data = await records.prepare(request.db, form, converted.data, request.caller, id, now, 'create');
          } catch (err) {
            if (!(err instanceof ApiError) || err.status !== 422) throw err;
            for (const e of (err.extra.errors as { field: string; row?: number; column?: string; code?: string; message: string }[]) ?? []) {
              // A cell that could not be converted is reported once, not again as "required".
              if (failed.has(`${e.field}|${e.row ?? ''}|${e.column ?? ''}`)) continue;
              const inSubform = e.row !== undefined;
              converted.errors.push({
                row: excelRowOf(converted, inSubform ? e.field : undefined, e.row),
                field: e.field,
                ...(inSubform ? { subformRow: e.row, column: e.column } : {}),
                code: e.code ?? 'invalid',
                message: e.message,
              });
            }
          }
          prepared.push({ id, converted, data: converted.errors.length ? undefined : data });
        }
        await checkUnique(request, form, prepared);

        const errors = prepared.flatMap((p) => p.converted.errors);
        const valid = prepared.filter((p) => p.converted.errors.length === 0 && p.data);
        const invalid = prepared.length - valid.length;
        const report = {
          total: prepared.length,
          valid: valid.length,
          invalid,
          mapping: mappingPreview(form, mapping, lang),
          unmapped: mapping.unmapped,
          ignored: mapping.ignored,
          rows: byRow(errors),
          errors,
        };
        if (dryRun) return { dryRun: true, imported: 0, ...report, preview: valid.slice(0, 20).map((p) => ({ row: p.converted.row, data: p.data })) };
        if (invalid > 0 && !partial) {
          throw new ApiError(422, 'validation_failed', `${invalid} of ${prepared.length} rows are invalid: nothing was imported`, { imported: 0, ...report });
        }

        const org = await callerOrg(request);
        const silent = option('silent');
        const ids: string[] = [];
        await request.db.transaction(async (tx) => {
          for (const p of valid) {
            const record = await records.insertPrepared(tx, form, p.id, p.data!, request.caller, { source: 'import', silent, now, ownerDepartmentIds: [...org.departmentIds] });
            ids.push(record._id);
          }
          await audit(tx, request.caller, 'records.import', { type: 'form', id: form._id, name: form.name }, { file: upload.filename, imported: ids.length, skipped: invalid });
        });
        services.notifyOutbox();
        return reply.status(ids.length ? 201 : 200).send({ imported: ids.length, skipped: invalid, ids, ...report });
      },
    );
  });

  app.get<{ Params: FromSchema<typeof formParams>; Querystring: FromSchema<typeof exportQuery> }>(
    '/api/v1/forms/:formId/export',
    { schema: { tags: ['records'], params: formParams, querystring: exportQuery } },
    async (request, reply) => {
      const form = await getForm(request.db, request.params.formId);
      const access = await accessFor(request, form);
      access.assert('export');
      const lang = request.query.lang ?? 'zh-CN';
      const condition = parseFilterParam(request.query.filter);
      const only = (request.query.fields ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      access.assertConditionQueryable(condition);
      access.assertQueryable([...(request.query.sort ?? '').split(',').map((s) => s.trim().replace(/^[-+]/, '')).filter(Boolean), ...only]);
      parseProjection(form, only.join(',') || undefined); // refuses unknown field ids
      const org = await callerOrg(request);
      const filter = access.restrict('export', compileFilter(form, condition, { userId: request.caller.userId, departmentIds: [...org.departmentIds], now: new Date(), timeZone: TIME_ZONE }));
      const sort = parseSort(form, request.query.sort);
      const col = request.db.collection<RecordDoc>(recordsCollection(form._id));
      const total = await col.countDocuments(filter);
      if (total > MAX_EXPORT_ROWS) {
        throw new ApiError(422, 'too_many_rows', `an export may hold at most ${MAX_EXPORT_ROWS} records; filter the view first`, { total, errors: [{ field: 'filter', code: 'too_many_rows', message: `${total} records match` }] });
      }
      const columns = exportColumns(form, (id) => !access.isHidden(id), lang, only);
      const names = await loadNameBook(services, request.db);
      await audit(request.db, request.caller, 'records.export', { type: 'form', id: form._id, name: form.name }, { total, filter: condition ?? null, fields: columns.filter((c) => !c.system).map((c) => (c.columnId ? `${c.fieldId}.${c.columnId}` : c.fieldId)) });

      const stream = new PassThrough();
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
      const formName = localize(form.name as Parameters<typeof localize>[0], lang) ?? 'export';
      const sheet = workbook.addWorksheet(sheetName(formName));
      sheet.columns = columns.map((c, i) => ({ header: c.header, key: String(i), width: c.width, ...(c.numFmt ? { style: { numFmt: c.numFmt } } : {}) }));
      sheet.getRow(1).font = { bold: true };
      const subformIds = [...new Set(columns.filter((c) => c.columnId).map((c) => c.fieldId))];

      const write = async () => {
        let rowNumber = 1;
        let after: unknown[] | undefined;
        for (;;) {
          const page = await col.find(after ? { $and: [filter, afterCursor(sort, after)] } : filter, { sort, limit: EXPORT_BATCH });
          for (const record of page) {
            const data = access.stripData(record.data ?? {});
            const lines = Math.max(1, ...subformIds.map((id) => (Array.isArray(data[id]) ? (data[id] as unknown[]).length : 0)));
            const first = rowNumber + 1;
            let last: ExcelJS.Row | undefined;
            for (let line = 0; line < lines; line++) {
              const values: ExcelValue[] = columns.map((c) => {
                if (c.columnId) {
                  const row = (data[c.fieldId] as Record<string, unknown>[] | undefined)?.[line];
                  return row && typeof row === 'object' ? excelValue(c.def!, row[c.columnId], names, lang, TIME_ZONE) : null;
                }
                if (line > 0) return null;
                return c.system ? systemValue(c, record, names, TIME_ZONE) : excelValue(c.def!, data[c.fieldId], names, lang, TIME_ZONE);
              });
              last = sheet.addRow(values);
              rowNumber++;
            }
            // A record's own cells span its subform lines, as Jiandaoyun exports them; the import reads this back.
            // Merging needs the rows uncommitted; committing the last one commits the record's rows.
            if (lines > 1) columns.forEach((c, i) => !c.columnId && sheet.mergeCells(first, i + 1, rowNumber, i + 1));
            last?.commit();
          }
          if (page.length < EXPORT_BATCH) break;
          after = cursorValues(page[page.length - 1], sort);
        }
        sheet.commit();
        await workbook.commit();
      };
      write().catch((err) => {
        request.log.error({ err }, 'export failed');
        stream.destroy(err as Error);
      });
      const filename = `${formName}.xlsx`;
      return reply
        .type(XLSX_TYPE)
        .header('content-disposition', `attachment; filename="export.xlsx"; filename*=UTF-8''${encodeURIComponent(filename)}`)
        .send(stream);
    },
  );
}
