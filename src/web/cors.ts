import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS like Prometheus' httputil.SetCORS: only when the request carries an Origin;
 * the default origin regex ".*" answers "*", otherwise the origin is echoed when it
 * matches the fully anchored --web.cors.origin regex.
 */
const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Headers': 'Accept, Authorization, Content-Type, Origin',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Expose-Headers': 'Date',
  Vary: 'Origin',
};

export class Cors {
  private readonly re: RegExp;
  private readonly any: boolean;

  constructor(origin: string) {
    this.any = origin === '.*';
    try {
      this.re = new RegExp(`^(?:${origin})$`);
    } catch (err) {
      throw new Error(`invalid --web.cors.origin regex ${JSON.stringify(origin)}: ${(err as Error).message}`);
    }
  }

  apply(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (!origin) return;
    for (const [k, v] of Object.entries(CORS_HEADERS)) res.setHeader(k, v);
    if (this.any) res.setHeader('Access-Control-Allow-Origin', '*');
    else if (this.re.test(origin)) res.setHeader('Access-Control-Allow-Origin', origin);
  }
}
