import { createServer } from './server.ts';

// A worker is the same wiring without an HTTP listener: it consumes the queue (BullMQ with REDIS_URL) and relays the outbox.
const server = await createServer({ runWorkers: true });
server.app.log.info({ queue: server.services.queue.kind, store: server.services.store.kind }, 'worker started');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    await server.close();
    process.exit(0);
  });
}
