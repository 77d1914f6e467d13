import { createServer } from './server.ts';

const server = await createServer();
const { port, host } = server.services.config;
await server.app.listen({ port, host });

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    server.app.log.info({ signal }, 'shutting down');
    await server.close();
    process.exit(0);
  });
}
