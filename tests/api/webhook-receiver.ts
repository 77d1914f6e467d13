import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A local HTTP endpoint standing in for an outside system: records every request and answers with the next
 * status of `script` (the last one repeats), so tests can make a receiver fail, then recover.
 */
export class Receiver {
  readonly received: Received[] = [];
  private script: number[] = [200];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<Receiver> {
    let self: Receiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const r = self!;
        r.received.push({ path: req.url ?? '/', method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const status = r.script.length > 1 ? r.script.shift()! : r.script[0];
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status < 300 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    self = new Receiver(server, `http://127.0.0.1:${port}`);
    return self;
  }

  /** Answer the next requests with these statuses, in order; the last repeats. */
  answer(...statuses: number[]) {
    this.script = statuses.length ? statuses : [200];
  }

  at(path: string) {
    return this.received.filter((r) => r.path === path);
  }

  close() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
