import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';
import { validate } from '@qiao/workflow-engine';
import type { Services } from '../platform/context.ts';
import { isAdmin } from '../platform/context.ts';
import { forbidden } from '../http/problem.ts';
import { getForm } from '../forms/store.ts';
import type { TaskDoc } from './store.ts';

const formParams = { type: 'object', required: ['formId'], properties: { formId: { type: 'string', maxLength: 64 } } } as const;
const definitionBody = {
  type: 'object',
  required: ['nodes', 'edges'],
  additionalProperties: false,
  properties: {
    nodes: { type: 'array', maxItems: 2000, items: { type: 'object' } },
    edges: { type: 'array', maxItems: 5000, items: { type: 'object' } },
    settings: { type: 'object' },
  },
} as const;

/** How often a to-do stream looks for news; one indexed count and one indexed read per look. */
const LOOK_EVERY_MS = 1000;
/** A comment line now and then keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/**
 * `POST /forms/:formId/workflow/check`: the engine's problems of a definition without saving it. The designer
 * checks every edit with it: the page's Content-Security-Policy forbids the `eval` the engine's schema
 * compiler needs, so the browser cannot run `validate` itself.
 *
 * `GET /tasks/events`: a server-sent event stream telling the caller that their to-do list changed (a task
 * arrived or was taken away, an instance they started finished, they were copied on one). It carries counts,
 * not tasks: the page reloads the lists it shows. Tasks are written by any process of the deployment (API
 * nodes, workers), so the stream watches the store rather than an in-process event bus.
 */
export function registerWorkflowEventRoutes(app: FastifyInstance, _services: Services) {
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...openStreams]) end();
  });

  app.post<{ Params: FromSchema<typeof formParams>; Body: FromSchema<typeof definitionBody> }>(
    '/api/v1/forms/:formId/workflow/check',
    { schema: { tags: ['workflow'], params: formParams, body: definitionBody, description: 'Problems of a workflow definition against the form, as publishing would report them; nothing is saved.' } },
    async (request) => {
      if (!isAdmin(request.caller)) throw forbidden('only admins can design workflows');
      const form = await getForm(request.db, request.params.formId);
      return { problems: validate(request.body, { fields: form.fields as never }) };
    },
  );

  app.get('/api/v1/tasks/events', { schema: { tags: ['workflow'], description: 'text/event-stream of `tasks` events { todo, latest } whenever the caller\'s to-do count or newest notification changes.' } }, async (request, reply) => {
    const db = request.db;
    const me = request.caller.userId;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n');

    let closed = false;
    let last = '';
    let looking = false;
    const look = async () => {
      if (closed || looking) return;
      looking = true;
      try {
        const [todo, newest] = await Promise.all([
          db.collection<TaskDoc>('wf_tasks').countDocuments({ assigneeId: me, status: 'open' }),
          db.collection('notifications').find({ userId: me }, { sort: { createdAt: -1 }, limit: 1, projection: { _id: 1, createdAt: 1 } }),
        ]);
        const payload = JSON.stringify({ todo, latest: newest[0] ? `${newest[0].createdAt as string}/${newest[0]._id as string}` : null });
        if (payload !== last && !closed) {
          last = payload;
          res.write(`event: tasks\ndata: ${payload}\n\n`);
        }
      } catch (err) {
        request.log.warn({ err }, 'to-do stream look failed');
      } finally {
        looking = false;
      }
    };
    const timer = setInterval(() => void look(), LOOK_EVERY_MS);
    const heartbeat = setInterval(() => !closed && res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const end = () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      clearInterval(heartbeat);
      openStreams.delete(end);
      res.end();
    };
    openStreams.add(end);
    request.raw.on('close', end);
    res.on('error', end);
    await look();
  });
}
