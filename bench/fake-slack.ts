// A fake Slack Web API for the benchmark, on loopback: answers every method ok, as Slack
// would, with the fields the bot reads (ts, channel, view id). Counts calls by method and
// keeps nothing else, so it stays cheap under load (the same fake serves both apps).
import { createServer, type Server } from 'node:http';

export class BenchSlackApi {
  readonly counts = new Map<string, number>();
  private server: Server | undefined;
  private ts = 1_763_900_000;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      req.resume();
      req.on('end', () => {
        this.counts.set(method, (this.counts.get(method) ?? 0) + 1);
        const ts = `${(this.ts += 1)}.000100`;
        const body: Record<string, unknown> = { ok: true };
        if (method.startsWith('chat.')) Object.assign(body, { ts, channel: 'C0DSLPRIV01', message: { ts } });
        else if (method.startsWith('views.')) body.view = { id: `V${ts.replace('.', '')}`, hash: ts };
        else if (method === 'auth.test') Object.assign(body, { user_id: 'U0BOT0001', bot_id: 'B0BOT0001', team_id: 'T0001', url: 'https://example.slack.com/' });
        else if (method === 'conversations.open') body.channel = { id: 'D0DM000001' };
        else if (method === 'conversations.info') body.channel = { id: 'C0DSLPRIV01', is_private: true };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    return `http://127.0.0.1:${addr.port}/api/`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
