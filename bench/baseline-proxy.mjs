// Reference target for the benchmark: the least a hand-written node:http proxy must do for
// GET /callStatus (JWT check, roomName validation, single flight, keep-alive upstream), no cache.
// BASELINE_SERVER_HEADERS=1 (measurement aid, not the reference): it also sends what the server
// sends on every answer (helmet's headers from the built server's own settings, a request id,
// cache-control), to see what that wire output costs the baseline and the load generator.
import http from 'node:http';
import { createHmac, createSecretKey, randomUUID, timingSafeEqual } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const ROOM_RE = /^[A-Za-z0-9._~-]{1,128}$/;
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
const SERVER_HEADERS =
  process.env.BASELINE_SERVER_HEADERS === '1'
    ? await (async () => {
        const { securityHeaders } = await import('../dist/common/security-headers.js');
        const { HELMET_OPTIONS } = await import('../dist/config/security.config.js');
        return { ...securityHeaders(HELMET_OPTIONS), 'cache-control': 'no-store', ...JSON_TYPE };
      })()
    : undefined;
// Key order follows the ProCONF contract: data first for 400/401, error first otherwise.
const fail = (code, message) =>
  code === 400 || code === 401
    ? { code, body: JSON.stringify({ data: null, error: { code, message } }) }
    : { code, body: JSON.stringify({ error: { code, message }, data: null }) };
const ERR = {
  401: fail(401, 'Unauthorized'),
  required: fail(400, 'Room name required in query param.'),
  invalid: fail(400, 'Invalid room name.'),
  404: fail(404, 'Not found'),
  room404: fail(404, 'Room not found.'),
  502: fail(502, 'Bad gateway'),
  504: fail(504, 'Gateway timeout'),
};

/** HS256 only, signature checked before the payload is trusted, `exp` required. */
function verifyJwt(token, key) {
  const [h, p, s, extra] = token.split('.');
  if (!h || !p || !s || extra !== undefined) return false;
  try {
    if (JSON.parse(Buffer.from(h, 'base64url')).alg !== 'HS256') return false;
    const want = createHmac('sha256', key).update(`${h}.${p}`).digest();
    const got = Buffer.from(s, 'base64url');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return false;
    const { exp, nbf } = JSON.parse(Buffer.from(p, 'base64url'));
    const now = Date.now() / 1000;
    return typeof exp === 'number' && exp > now && (nbf === undefined || nbf <= now);
  } catch {
    return false;
  }
}

/**
 * @param {{ port?: number, host?: string, adminUrl: string, secret: string, timeoutMs?: number }} o
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startBaselineProxy(o) {
  const { port = 0, host = '127.0.0.1', adminUrl, secret, timeoutMs = 5000 } = o;
  const key = createSecretKey(Buffer.from(secret));
  const base = new URL(adminUrl.replace(/\/+$/, ''));
  const agent = new http.Agent({ keepAlive: true, maxFreeSockets: 256 });
  const inflight = new Map();

  // One upstream call under a total deadline (connect + headers + body); never rejects.
  const callAdmin = (room) =>
    new Promise((resolve) => {
      let settled = false;
      const done = (r) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          resolve(r);
        }
      };
      const path = `${base.pathname}/sessions-status/${encodeURIComponent(room)}`;
      const req = http.get(
        {
          agent,
          hostname: base.hostname,
          port: base.port,
          path,
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('close', () => done(ERR[502])); // no-op after 'end'; catches aborted bodies
          res.on('end', () => {
            if (res.statusCode === 404) return done(ERR.room404);
            let d;
            try {
              d = JSON.parse(Buffer.concat(chunks)).data;
            } catch {
              return done(ERR[502]);
            }
            const { transcript_status: t, recording_status: r } = d ?? {};
            if (res.statusCode !== 200 || typeof t !== 'boolean' || typeof r !== 'boolean') {
              return done(ERR[502]);
            }
            done({
              code: 200,
              body: JSON.stringify({
                error: null,
                data: { transcript_status: t, recording_status: r },
              }),
            });
          });
        },
      );
      const timer = setTimeout(() => {
        done(ERR[504]);
        req.destroy();
      }, timeoutMs);
      req.on('error', () => done(ERR[502]));
    });
  // Single flight: concurrent requests for one room share the same upstream call.
  const statusOf = (room) => {
    let p = inflight.get(room);
    if (!p) inflight.set(room, (p = callAdmin(room).finally(() => inflight.delete(room))));
    return p;
  };

  const route = async (req) => {
    const url = new URL(req.url, 'http://x');
    if (req.method === 'GET' && url.pathname === '/health') return { code: 200, body: '{}' };
    if (req.method !== 'GET' || url.pathname !== '/callStatus') return ERR[404];
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !verifyJwt(token, key)) return ERR[401];
    const all = url.searchParams.getAll('roomName');
    const room = all.length === 1 ? all[0].trim() : '';
    if (!room) return ERR.required;
    if (!ROOM_RE.test(room) || room === '.' || room === '..') return ERR.invalid;
    return statusOf(room);
  };
  const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    route(req)
      .catch(() => ERR[404])
      .then((out) => {
        const headers = SERVER_HEADERS
          ? { ...SERVER_HEADERS, 'x-request-id': randomUUID() }
          : JSON_TYPE;
        res.writeHead(out.code, headers).end(out.body);
      });
  });
  await new Promise((ok, ko) => server.once('error', ko).listen(port, host, ok));
  return {
    url: `http://${host}:${server.address().port}`,
    close: () =>
      new Promise((ok) => {
        agent.destroy();
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { PORT, ADMIN_BACKEND_URL, JWT_SECRET, ADMIN_TIMEOUT_MS } = process.env;
  if (!ADMIN_BACKEND_URL || !JWT_SECRET) {
    throw new Error('ADMIN_BACKEND_URL and JWT_SECRET are required');
  }
  const proxy = await startBaselineProxy({
    port: Number(PORT ?? 0),
    adminUrl: ADMIN_BACKEND_URL,
    secret: JWT_SECRET,
    timeoutMs: Number(ADMIN_TIMEOUT_MS ?? 5000),
  });
  console.log(`baseline proxy listening on ${proxy.url}`);
  const stop = () => proxy.close().then(() => process.exit(0));
  process.once('SIGTERM', stop).once('SIGINT', stop);
}
