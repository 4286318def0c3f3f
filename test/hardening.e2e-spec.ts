import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceProblems, type CheckedRequest } from './support/openapi-conformance.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// What each layer answers; docs/hardening.md records the same table.
const ENVELOPE_404 = '{"error":{"code":404,"message":"Not found"},"data":null}';
const ENVELOPE_401 = '{"data":null,"error":{"code":401,"message":"Unauthorized"}}';
const INVALID_ROOM = '{"data":null,"error":{"code":400,"message":"Invalid room name."}}';
const PAYLOAD_TOO_LARGE = '{"data":null,"error":{"code":413,"message":"Payload too large"}}';
const OK_BODY = '{"error":null,"data":{"transcript_status":false,"recording_status":true}}';
// Node's HTTP parser refuses these before Fastify routes anything; our clientErrorHandler
// (src/common/node-replies.ts) answers them in the envelope and closes the connection.
const NODE_400 = '{"data":null,"error":{"code":400,"message":"Bad request"}}';
const NODE_431 = '{"data":null,"error":{"code":431,"message":"Request header fields too large"}}';

const ORIGIN = 'https://app.example.com';
const SOCKET_TIMEOUT_MS = 3000;

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

describe('hostile requests over a real socket', () => {
  let t: TestApp;
  let port: number;
  let auth: string;
  // Every answer of this block, checked against openapi.json by its last test.
  const answered: { request: CheckedRequest; response: RawResponse }[] = [];

  beforeAll(async () => {
    t = await startTestApp(
      { CORS_ORIGINS: ORIGIN, STATUS_CACHE_TTL_MS: '0' },
      { rooms: { demo: { recording_status: true } } },
    );
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as { port: number }).port;
    auth = `Authorization: Bearer ${t.token()}\r\n`;
  });
  afterAll(() => t.close());

  /** Sends `head` (and `body`, in chunks, until the server answers) on a fresh connection. */
  function send(head: string, body?: Buffer): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const received: Buffer[] = [];
      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        socket.destroy();
        if (error) return reject(error);
        const response = parseResponse(Buffer.concat(received));
        answered.push({ request: parseRequest(head), response: finalAnswer(response) });
        resolve(response);
      };
      socket.setTimeout(SOCKET_TIMEOUT_MS, () =>
        finish(new Error(`no complete answer within ${SOCKET_TIMEOUT_MS} ms`)),
      );
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      // A reset once the server has answered is it refusing the rest of an upload.
      socket.on('error', (error) => (received.length > 0 ? finish() : finish(error)));
      socket.on('close', () =>
        finish(received.length > 0 ? undefined : new Error('closed without an answer')),
      );
      socket.on('connect', () => {
        socket.write(head);
        if (body !== undefined) void writeUntilAnswered(socket, body, () => received.length > 0);
      });
    });
  }

  function get(target: string, headers = ''): Promise<RawResponse> {
    return send(`GET ${target} HTTP/1.1\r\nHost: localhost\r\n${headers}Connection: close\r\n\r\n`);
  }

  function withBody(method: string, headers: string, body: Buffer | string) {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const head =
      `${method} /callStatus?roomName=demo HTTP/1.1\r\nHost: localhost\r\n${headers}` +
      `Content-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`;
    return send(head, bytes);
  }

  describe('URLs', () => {
    it('answers the 400 envelope for malformed percent-encoding in the path (router level)', async () => {
      for (const target of ['/callStatus%zz?roomName=demo', '/%E0%A4%A']) {
        const res = await get(target, auth);
        expect(res.status).toBe(400);
        expect(res.body).toBe(NODE_400); // and the path is not echoed back
      }
    });

    it('answers the 400 envelope for malformed percent-encoding in the room name', async () => {
      for (const target of ['/callStatus?roomName=%zz', '/callStatus?roomName=%E0%A4%A']) {
        const res = await get(target, auth);
        expect(res.status).toBe(400);
        expect(res.body).toBe(INVALID_ROOM);
      }
    });

    it('ignores malformed percent-encoding in parameters it does not read', async () => {
      const res = await get('/callStatus?roomName=demo&x=%zz&%%%=1', auth);
      expect(res.status).toBe(200);
      expect(res.body).toBe(OK_BODY);
    });

    it('answers the 400 envelope for a 10 KB room name and Node 431 for a 20 KB URL', async () => {
      const long = await get(`/callStatus?roomName=${'a'.repeat(10_000)}`, auth);
      expect(long.status).toBe(400);
      expect(long.body).toBe(INVALID_ROOM);
      const huge = await get(`/callStatus?roomName=${'a'.repeat(20_000)}`, auth);
      expect(huge.status).toBe(431);
      expect(huge.body).toBe(NODE_431);
    });

    it('answers Node 400 for a raw NUL in the path and the 404 envelope for an encoded one', async () => {
      const rawNul = await get('/call\u0000Status?roomName=demo', auth);
      expect(rawNul.status).toBe(400);
      expect(rawNul.body).toBe(NODE_400);
      const encoded = await get('/callStatus%00?roomName=demo', auth);
      expect(encoded.status).toBe(404);
      expect(encoded.body).toBe(ENVELOPE_404);
      const inRoom = await get('/callStatus?roomName=de%00mo', auth);
      expect(inRoom.status).toBe(400);
      expect(inRoom.body).toBe(INVALID_ROOM);
    });

    it.each(['/health/../callStatus?roomName=demo', '//callStatus?roomName=demo', '/callStatus\\'])(
      'does not normalise %s into a route (404 envelope)',
      async (target) => {
        const res = await get(target, auth);
        expect(res.status).toBe(404);
        expect(res.body).toBe(ENVELOPE_404);
      },
    );
  });

  describe('headers', () => {
    it('answers Node 431 for 20 KB of headers', async () => {
      const res = await get('/callStatus?roomName=demo', `${auth}X-Big: ${'a'.repeat(20_000)}\r\n`);
      expect(res.status).toBe(431);
      expect(res.body).toBe(NODE_431);
    });

    it('answers HEAD /callStatus with a token: 200, headers only', async () => {
      const res = await send(
        `HEAD /callStatus?roomName=demo HTTP/1.1\r\nHost: localhost\r\n${auth}Connection: close\r\n\r\n`,
      );
      expect(res.status).toBe(200);
      expect(res.body).toBe('');
      expect(res.headers['content-length']).toBe(String(OK_BODY.length));
    });

    it('answers HEAD /callStatus without a token: 401, headers only', async () => {
      const res = await send(
        'HEAD /callStatus?roomName=demo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      );
      expect(res.status).toBe(401);
      expect(res.body).toBe('');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it('answers the 404 envelope for OPTIONS without CORS preflight headers', async () => {
      const res = await send(
        'OPTIONS /callStatus?roomName=demo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      );
      expect(res.status).toBe(404);
      expect(res.body).toBe(ENVELOPE_404);
    });

    it('answers @fastify/cors 400 for OPTIONS from an allowed origin without a request method', async () => {
      const res = await send(
        `OPTIONS /callStatus HTTP/1.1\r\nHost: localhost\r\nOrigin: ${ORIGIN}\r\nConnection: close\r\n\r\n`,
      );
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('text/plain');
      expect(res.body).toBe('Invalid Preflight Request');
    });

    it('answers the 400 envelope for an HTTP/1.1 request without Host, and closes', async () => {
      const res = await send('GET /health HTTP/1.1\r\nConnection: keep-alive\r\n\r\n');
      expect(res.status).toBe(400);
      expect(res.body).toBe(NODE_400);
      expect(res.headers.connection).toBe('close');
      expect(res.headers['x-request-id']).toBeTypeOf('string');
      // HTTP/1.0 has no Host requirement.
      const old = await send('GET /health HTTP/1.0\r\n\r\n');
      expect(old.status).toBe(200);
    });

    it('answers the 417 envelope for an Expect other than 100-continue', async () => {
      const res = await get('/health', 'Expect: the-unexpected\r\n');
      expect(res.status).toBe(417);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toBe('{"data":null,"error":{"code":417,"message":"Expectation failed"}}');
      // 100-continue still gets its interim answer, then the real one.
      const go = await get('/health', 'Expect: 100-continue\r\n');
      expect(go.status).toBe(100);
      expect(go.body).toContain('HTTP/1.1 200 OK');
    });

    it('answers the 404 envelope to CONNECT (Node alone would drop the connection)', async () => {
      const res = await send('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
      expect(res.status).toBe(404);
      expect(res.body).toBe(ENVELOPE_404);
      expect(res.headers.connection).toBe('close');
    });
  });

  describe('bodies', () => {
    it.each([
      ['JSON', 'Content-Type: application/json\r\n', '{"roomName":"x"}'],
      ['malformed JSON', 'Content-Type: application/json\r\n', '{"a":'],
      ['no content type', '', 'hello'],
      ['an odd content type', 'Content-Type: application/x-evil\r\n', 'hello'],
    ])('ignores a GET body with %s (never parsed)', async (_name, headers, body) => {
      const res = await withBody('GET', `${auth}${headers}`, body);
      expect(res.status).toBe(200);
      expect(res.body).toBe(OK_BODY);
    });

    it('ignores a 1 MB GET body, and still checks the token first', async () => {
      const megabyte = Buffer.alloc(1024 * 1024, 0x61);
      const ok = await withBody('GET', `${auth}Content-Type: application/json\r\n`, megabyte);
      expect(ok.status).toBe(200);
      const anonymous = await withBody('GET', 'Content-Type: application/json\r\n', megabyte);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toBe(ENVELOPE_401);
    });

    it('answers the 404 envelope for POST with an odd content type (no route, nothing parsed)', async () => {
      const res = await withBody('POST', `${auth}Content-Type: application/x-evil\r\n`, 'hello');
      expect(res.status).toBe(404);
      expect(res.body).toBe(ENVELOPE_404);
    });

    it('answers the 413 envelope for a 1 MB POST body and closes the connection', async () => {
      const megabyte = Buffer.alloc(1024 * 1024, 0x61);
      const res = await withBody('POST', `${auth}Content-Type: application/json\r\n`, megabyte);
      expect(res.status).toBe(413);
      expect(res.body).toBe(PAYLOAD_TOO_LARGE);
      expect(res.headers.connection).toBe('close');
    });

    it('answers Fastify 415 (not the envelope) for an OPTIONS body of an odd content type', async () => {
      // The OPTIONS route belongs to @fastify/cors and predates Nest's error handler.
      const res = await send(
        'OPTIONS /callStatus HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-evil\r\n' +
          'Content-Length: 5\r\nConnection: close\r\n\r\nhello',
      );
      expect(res.status).toBe(415);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
    });
  });

  describe('Transfer-Encoding', () => {
    const head = (te: string, extra = '') =>
      `GET /callStatus?roomName=demo HTTP/1.1\r\nHost: localhost\r\n${auth}` +
      `Transfer-Encoding: ${te}\r\n${extra}Connection: close\r\n\r\n`;

    it('answers 200 to a chunked GET body (ignored), complete or not', async () => {
      const complete = await send(`${head('chunked')}5\r\nhello\r\n0\r\n\r\n`);
      expect(complete.status).toBe(200);
      expect(complete.body).toBe(OK_BODY);
      const truncated = await send(`${head('chunked')}5\r\nhel`);
      expect(truncated.status).toBe(200);
    });

    it.each([
      ['chunked with Content-Length (smuggling)', () => head('chunked', 'Content-Length: 3\r\n')],
      ['gzip only', () => head('gzip')],
      ['chunked, then gzip', () => head('chunked, gzip')],
      ['an invalid chunk size', () => `${head('chunked')}zz\r\nhello\r\n`],
    ])('answers Node 400 for %s', async (_name, request) => {
      const res = await send(`${request()}0\r\n\r\n`);
      expect(res.status).toBe(400);
      expect(res.body).toBe(NODE_400);
    });
  });

  // Answers that reach no Nest handler and are not the envelope (docs/hardening.md lists them):
  // behaviour to fix, not document. Each must still fail the check, or leave this list.
  const KNOWN_DEVIATIONS = [
    'OPTIONS /callStatus -> 400', // @fastify/cors: text/plain "Invalid Preflight Request"
    'OPTIONS /callStatus -> 415', // @fastify/cors's OPTIONS route: Fastify's own error JSON
  ];

  it('answers every request above as openapi.json documents, but the known deviations', async () => {
    expect(answered.length).toBeGreaterThan(30);
    const failing: string[] = [];
    for (const { request, response } of answered) {
      const key = `${request.method} ${request.url.split('?')[0]} -> ${response.status}`;
      const res = { statusCode: response.status, headers: response.headers, body: response.body };
      const problems = await conformanceProblems(request, res);
      if (problems.length > 0) failing.push(`${key}: ${problems.join('; ')}`);
    }
    expect(failing.map((line) => line.split(':')[0]).sort()).toStrictEqual(
      [...KNOWN_DEVIATIONS].sort(),
    );
  });
});

function parseRequest(head: string): CheckedRequest {
  const [requestLine, ...lines] = head.split('\r\n\r\n')[0].split('\r\n');
  const [method, url] = requestLine.split(' ');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { method, url, headers };
}

describe('security headers and CORS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(
      { CORS_ORIGINS: `${ORIGIN}, http://localhost:8080`, CORS_MAX_AGE_SEC: '300' },
      { rooms: { demo: {} } },
    );
  });
  afterAll(() => t.close());

  const preflight = (origin: string) =>
    t.app.inject({
      method: 'OPTIONS',
      url: '/callStatus?roomName=demo',
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });

  it('answers a preflight from an allowed origin with 204, without a token', async () => {
    const res = await preflight(ORIGIN);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD, OPTIONS');
    expect(res.headers['access-control-allow-headers']).toBe(
      'Authorization, Content-Type, X-Request-Id, Last-Event-ID',
    );
    expect(res.headers['access-control-max-age']).toBe('300');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers.vary).toBe('Origin');
    expect(t.sim.calls).toBe(0);
  });

  it('gives a disallowed origin no CORS header at all (404 envelope for its preflight)', async () => {
    for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.com', 'null']) {
      const res = await preflight(origin);
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe(ENVELOPE_404);
      expect(corsHeaders(res.headers)).toEqual([]);
      const get = await t.get('/callStatus?roomName=demo', {
        authorization: `Bearer ${t.token()}`,
        origin,
      });
      expect(get.statusCode).toBe(200);
      expect(corsHeaders(get.headers)).toEqual([]);
    }
  });

  it('lets an allowed origin read the response and the exposed headers', async () => {
    const res = await t.get('/callStatus?roomName=demo', {
      authorization: `Bearer ${t.token()}`,
      origin: 'http://localhost:8080',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:8080');
    expect(res.headers['access-control-expose-headers']).toBe('X-Request-Id, Retry-After, Age');
  });

  it('sends the security headers on successes, errors and unknown routes alike', async () => {
    const responses = [
      await t.get('/callStatus?roomName=demo'),
      await t.get('/callStatus?roomName=demo', {}),
      await t.get('/nope', {}),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([200, 401, 404]);
    for (const res of responses) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('has no CORS at all when CORS_ORIGINS is empty', async () => {
    const off = await startTestApp({}, {}, t.sim);
    try {
      const res = await off.app.inject({
        method: 'OPTIONS',
        url: '/callStatus',
        headers: { origin: ORIGIN, 'access-control-request-method': 'GET' },
      });
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe(ENVELOPE_404);
      expect(corsHeaders(res.headers)).toEqual([]);
    } finally {
      await off.close();
    }
  });

  it('allows any origin only when CORS_ORIGINS is "*"', async () => {
    const any = await startTestApp({ CORS_ORIGINS: '*' }, {}, t.sim);
    try {
      const res = await any.app.inject({
        method: 'OPTIONS',
        url: '/callStatus',
        headers: { origin: 'https://anything.example', 'access-control-request-method': 'GET' },
      });
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
    } finally {
      await any.close();
    }
  });
});

function corsHeaders(headers: Record<string, unknown>): string[] {
  return Object.keys(headers).filter((name) => name.startsWith('access-control-'));
}

async function writeUntilAnswered(
  socket: Socket,
  body: Buffer,
  answered: () => boolean,
): Promise<void> {
  const CHUNK = 64 * 1024;
  for (let offset = 0; offset < body.length; offset += CHUNK) {
    if (answered() || socket.destroyed) return;
    if (!socket.write(body.subarray(offset, offset + CHUNK))) {
      await new Promise((resolve) => {
        socket.once('drain', resolve);
        socket.once('close', resolve);
      });
    }
  }
}

function parseResponse(raw: Buffer): RawResponse {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`incomplete response: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(end + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  return { status, headers, body };
}

/** The answer after any interim 1xx (100 Continue): what the last test checks. */
function finalAnswer(response: RawResponse): RawResponse {
  if (response.status < 100 || response.status >= 200) return response;
  return finalAnswer(parseResponse(Buffer.from(response.body, 'latin1')));
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!(size > 0)) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}
