import axios, { AxiosError, type AxiosInstance } from 'axios';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUndiciAdapter, leanAxiosDefaults, type ClosableAdapter } from './undici.adapter.js';

const MAX_BYTES = 1024;

type Route = (req: IncomingMessage, body: string, res: ServerResponse) => void;

const routes: Record<string, Route> = {
  '/echo': (req, body, res) => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-upstream', 'yes');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
  },
  '/status/503': (_req, _body, res) => {
    res.statusCode = 503;
    res.end('unavailable');
  },
  // "é" split between two chunks: the text must be decoded from the whole body.
  '/split-utf8': (_req, _body, res) => {
    const bytes = Buffer.from('{"name":"café"}');
    const cut = bytes.indexOf(0xc3) + 1;
    res.write(bytes.subarray(0, cut));
    setTimeout(() => res.end(bytes.subarray(cut)), 10);
  },
  '/large': (_req, _body, res) => {
    res.end('x'.repeat(MAX_BYTES * 4));
  },
  '/hang': () => {
    // never answers
  },
};

describe('createUndiciAdapter', () => {
  let server: Server;
  let base: string;
  let adapter: ClosableAdapter;
  let http: AxiosInstance;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
        route?.(req, Buffer.concat(chunks).toString(), res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    adapter = createUndiciAdapter({
      connections: 4,
      maxResponseBytes: MAX_BYTES,
      connectTimeoutMs: 1000,
    });
    // As AdminApiModule configures the HttpModule's instance.
    http = axios.create({
      adapter,
      baseURL: base,
      responseType: 'text',
      transformRequest: [],
      transformResponse: [],
      validateStatus: null,
    });
    leanAxiosDefaults(http);
  });

  afterAll(async () => {
    server.closeAllConnections();
    await adapter.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the method, path, query and headers, and returns status, headers and text', async () => {
    const response = await http.get<string>('/echo?room=a%2Fb', {
      headers: { accept: 'application/json', 'x-request-id': 'r-1' },
    });
    expect(response.status).toBe(200);
    expect(response.headers['x-upstream']).toBe('yes');
    expect(typeof response.data).toBe('string');
    const echoed = JSON.parse(response.data) as {
      method: string;
      url: string;
      headers: Record<string, string>;
      body: string;
    };
    expect(echoed).toMatchObject({ method: 'GET', url: '/echo?room=a%2Fb', body: '' });
    expect(echoed.headers).toMatchObject({ accept: 'application/json', 'x-request-id': 'r-1' });
  });

  it('sends string bodies as given and refuses objects it would have to guess how to encode', async () => {
    const response = await http.post<string>('/echo', '{"a":1}', {
      headers: { 'content-type': 'application/json' },
    });
    expect(JSON.parse(response.data)).toMatchObject({ method: 'POST', body: '{"a":1}' });

    const refused = await http.post('/echo', { a: 1 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AxiosError);
    expect((refused as AxiosError).code).toBe(AxiosError.ERR_BAD_REQUEST);
  });

  it('leaves judging the status to validateStatus', async () => {
    const lenient = await http.get<string>('/status/503');
    expect(lenient.status).toBe(503);
    expect(lenient.data).toBe('unavailable');

    const strict = await http
      .get('/status/503', { validateStatus: (status) => status < 400 })
      .catch((error: unknown) => error);
    expect(strict).toBeInstanceOf(AxiosError);
    expect((strict as AxiosError).code).toBe(AxiosError.ERR_BAD_RESPONSE);
    expect((strict as AxiosError).response?.status).toBe(503);
  });

  it('decodes text from the whole body, not chunk by chunk', async () => {
    const response = await http.get<string>('/split-utf8');
    expect(JSON.parse(response.data)).toEqual({ name: 'café' });
  });

  it('refuses a body over maxResponseBytes as ERR_BAD_RESPONSE', async () => {
    const error = await http.get('/large').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).code).toBe(AxiosError.ERR_BAD_RESPONSE);
  });

  it('rejects at once with ERR_CANCELED when the signal aborts, in flight or before', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = http.get('/hang', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((caught: unknown) => caught);
    expect((error as AxiosError).code).toBe(AxiosError.ERR_CANCELED);
    expect(Date.now() - started).toBeLessThan(1000);

    const aborted = AbortSignal.abort();
    const early = await http.get('/echo', { signal: aborted }).catch((caught: unknown) => caught);
    expect((early as AxiosError).code).toBe(AxiosError.ERR_CANCELED);

    // The pool is still usable afterwards.
    expect((await http.get('/echo')).status).toBe(200);
  });

  it('reports a refused connection with its code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const error = await http
      .get(`http://127.0.0.1:${port}/echo`)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).code).toBe('ECONNREFUSED');
  });
});

describe('leanAxiosDefaults', () => {
  it('keeps the adapter, transforms and validateStatus, and drops what only other adapters read', () => {
    const adapter = createUndiciAdapter({
      connections: 1,
      maxResponseBytes: MAX_BYTES,
      connectTimeoutMs: 1000,
    });
    const instance = axios.create({ adapter, transformResponse: [], validateStatus: null });
    leanAxiosDefaults(instance);
    expect(instance.defaults.adapter).toBe(adapter);
    expect(instance.defaults.transformResponse).toEqual([]);
    expect(instance.defaults.validateStatus).toBeNull();
    expect(instance.defaults.headers).toEqual({});
    for (const key of ['timeout', 'transitional', 'env', 'xsrfCookieName', 'maxContentLength']) {
      expect(instance.defaults).not.toHaveProperty(key);
    }
    return adapter.close();
  });
});
