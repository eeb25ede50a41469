import * as http from 'http';
import type { AddressInfo } from 'net';

interface StoredComment {
  id: number;
  body: string;
  user: string;
}

/**
 * A small stand-in for GitHub's REST API (the routes the comment script uses),
 * keeping the comments of one pull request in memory and every request made.
 */
export class FakeGithub {
  comments: StoredComment[] = [];
  requests: string[] = [];
  /** Tokens that may read but not write (a fork's pull request). */
  readOnlyTokens = new Set<string>();
  private nextId = 1000;
  private server = http.createServer((req, res) => this.handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  addComment(body: string, user = 'someone'): void {
    this.comments.push({ id: this.nextId++, body, user });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let data = '';
    req.on('data', (chunk: Buffer) => (data += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      this.requests.push(`${req.method} ${url.pathname}${url.search}`);
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token) return reply(401, { message: 'Requires authentication' });
      const list = /^\/repos\/acme\/shop\/issues\/7\/comments$/.exec(url.pathname);
      const one = /^\/repos\/acme\/shop\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (list && req.method === 'GET') {
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        return reply(200, this.comments.slice((page - 1) * perPage, page * perPage).map((c) => ({ id: c.id, body: c.body, user: { login: c.user } })));
      }
      if (this.readOnlyTokens.has(token)) return reply(403, { message: 'Resource not accessible by integration' });
      if (list && req.method === 'POST') {
        const comment = { id: this.nextId++, body: (JSON.parse(data) as { body: string }).body, user: 'github-actions[bot]' };
        this.comments.push(comment);
        return reply(201, { id: comment.id, body: comment.body, html_url: `https://github.test/acme/shop/pull/7#issuecomment-${comment.id}` });
      }
      const existing = one ? this.comments.find((c) => c.id === Number(one[1])) : undefined;
      if (existing && req.method === 'PATCH') {
        existing.body = (JSON.parse(data) as { body: string }).body;
        return reply(200, { id: existing.id, body: existing.body, html_url: `https://github.test/acme/shop/pull/7#issuecomment-${existing.id}` });
      }
      return reply(404, { message: 'Not Found' });
    });
  }
}
