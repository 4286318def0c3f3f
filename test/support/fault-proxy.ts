import http from 'node:http';
import type { Socket } from 'node:net';

export type ProxyFault =
  | { mode: 'none' }
  /** holds the upstream's answer this long before sending its status line */
  | { mode: 'slow'; delayMs: number }
  /** sends the status line and headers at once, the body only after delayMs */
  | { mode: 'slowBody'; delayMs: number }
  /** never answers; the socket stays open until the client gives up */
  | { mode: 'hang' }
  /** answers an S3 XML error without asking the upstream */
  | { mode: 'status'; status: number; code: string }
  /** closes the connection without an answer */
  | { mode: 'reset' }
  /** forwards the answer without Content-Length (chunked), as some stores and proxies do */
  | { mode: 'chunked' };

export interface ProxiedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

/**
 * An HTTP reverse proxy on 127.0.0.1 in front of a test server (the S3 server), with faults
 * the server itself cannot produce: slow answers, stalled bodies, 5xx, resets, and being down.
 * It forwards requests unchanged (Host included, so SigV4 signatures still verify), counts
 * them, and adds an `x-amz-request-id` to every answer, as S3 does.
 */
export class FaultProxy {
  fault: ProxyFault = { mode: 'none' };
  readonly requests: ProxiedRequest[] = [];
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private answered = 0;
  /** Forwarded answers the client closed before their last byte. */
  cutShort = 0;

  private constructor(
    private readonly targetPort: number,
    private listenPort: number,
  ) {}

  static async start(targetPort: number): Promise<FaultProxy> {
    const proxy = new FaultProxy(targetPort, 0);
    await proxy.up();
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.listenPort}`;
  }

  /** Requests whose method is GET (object reads). */
  get gets(): number {
    return this.requests.filter((request) => request.method === 'GET').length;
  }

  async up(): Promise<void> {
    if (this.server !== undefined) return;
    const server = http.createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (typeof address === 'object' && address !== null) this.listenPort = address.port;
    this.server = server;
  }

  /** Stops listening and drops every connection: clients get "connection refused". */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  close(): Promise<void> {
    return this.down();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    const requestId = `PROXY-REQUEST-${++this.answered}`;
    const fault = this.fault;
    switch (fault.mode) {
      case 'hang':
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'status': {
        const body =
          `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code}</Code>` +
          `<Message>injected by the test proxy</Message><RequestId>${requestId}</RequestId></Error>`;
        res.writeHead(fault.status, {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(body),
          'x-amz-request-id': requestId,
        });
        res.end(body);
        return;
      }
    }
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: this.targetPort,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        const headers = { 'x-amz-request-id': requestId, ...answer.headers };
        if (fault.mode === 'chunked') delete headers['content-length'];
        res.once('close', () => {
          if (!res.writableFinished) this.cutShort++;
        });
        const send = () => {
          if (res.destroyed) return answer.destroy();
          res.writeHead(answer.statusCode ?? 502, headers);
          if (fault.mode === 'slowBody') {
            res.flushHeaders();
            setTimeout(() => answer.pipe(res), fault.delayMs);
          } else {
            answer.pipe(res);
          }
        };
        if (fault.mode === 'slow') setTimeout(send, fault.delayMs);
        else send();
      },
    );
    // The upstream is down: so is the proxy, as far as the client can tell.
    upstream.once('error', () => req.socket.destroy());
    req.pipe(upstream);
  }
}
