import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOM_NAME_INVALID, ROOM_NAME_REQUIRED } from '../src/rooms/room-name.js';
import { DEFAULT_ROOM_NAME_PATTERN } from '../src/config/rooms.config.js';
import { conferenceOperationIds } from '../src/docs/api-responses.decorator.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// `npm run openapi` runs this file with OPENAPI_WRITE=1: it rewrites openapi.json from the
// served document first, then checks it like any other run.
const OPENAPI_FILE = join(import.meta.dirname, '..', 'openapi.json');
const WRITE = process.env.OPENAPI_WRITE === '1';

interface Example {
  summary?: string;
  value: unknown;
}
interface MediaType {
  schema?: { $ref?: string; type?: string };
  example?: unknown;
  examples?: Record<string, Example>;
}
interface Response {
  $ref?: string;
  description: string;
  headers?: Record<string, { $ref?: string }>;
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: {
    name: string;
    in: string;
    required?: boolean;
    description?: string;
    schema?: Record<string, unknown>;
  }[];
  responses: Record<string, Response>;
}
interface Document {
  openapi: string;
  security?: unknown;
  servers?: unknown;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, unknown>;
    headers: Record<string, unknown>;
    securitySchemes: Record<string, unknown>;
    responses: Record<string, Response>;
  };
}

// The /callStatus contract: every error status with its exact messages.
const CALL_STATUS_ERRORS: Record<string, string[]> = {
  '400': [ROOM_NAME_REQUIRED, ROOM_NAME_INVALID, 'Bad request'],
  '401': ['Unauthorized'],
  '403': ['Forbidden'],
  '404': ['Not found', 'Room not found'],
  '408': ['Request timeout'],
  '417': ['Expectation failed'],
  '429': ['Too many requests'],
  '431': ['Request header fields too large'],
  '500': ['Internal server error'],
  '502': ['Bad gateway'],
  '503': ['Service unavailable'],
  '504': ['Gateway timeout'],
};
// Besides the conference endpoints (which the docs decorator registers): health, metrics,
// identity, and the status stream (its 200 is an event stream, not the envelope).
const OTHER_OPERATIONS = [
  'getHealth',
  'getLiveness',
  'getReadiness',
  'getMetrics',
  'getJwks',
  'login',
  'joinMember',
  'streamCallStatus',
];
const SECURED_OTHERS = ['getMetrics', 'streamCallStatus'];

// Responses shared by many operations are references to components.responses.
function resolved(doc: Document, operation: Operation): Record<string, Response> {
  return Object.fromEntries(
    Object.entries(operation.responses).map(([status, response]) => [
      status,
      response.$ref === undefined
        ? response
        : doc.components.responses[response.$ref.replace('#/components/responses/', '')],
    ]),
  );
}

function operations(doc: Document): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      { ...op, responses: resolved(doc, op) },
    ]),
  );
}

function jsonExamples(response: Response | undefined): Record<string, Example> {
  return response?.content?.['application/json']?.examples ?? {};
}

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner),
  );
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;

  beforeAll(async () => {
    t = await startTestApp();
    const res = await t.app.inject({ method: 'GET', url: '/docs-json' });
    expect(res.statusCode).toBe(200);
    doc = res.json<Document>();
    if (WRITE) await writeFile(OPENAPI_FILE, `${JSON.stringify(doc, null, 2)}\n`);
  });
  afterAll(() => t.close());

  it('is served at /docs-json without a token, as OpenAPI 3 JSON', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs-json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-request-id']).toBeTypeOf('string');
    expect(doc.openapi).toBe('3.1.0');
    // Nothing about where it is deployed: the origin it was fetched from, then the demo.
    expect(doc.servers).toStrictEqual([
      { url: '/', description: expect.any(String) },
      { url: 'http://127.0.0.1:3000', description: expect.stringContaining('npm run demo') },
    ]);
  });

  it('matches the committed openapi.json', async () => {
    const committed: unknown = JSON.parse(await readFile(OPENAPI_FILE, 'utf8'));
    expect(
      committed,
      'openapi.json is out of date with the code: run `npm run openapi` and commit the result',
    ).toStrictEqual(doc);
  });

  it('has the expected operations, each with a client-friendly operationId', () => {
    const ids = operations(doc).map(([, op]) => op.operationId);
    const expected = [...conferenceOperationIds(), ...OTHER_OPERATIONS];
    expect(conferenceOperationIds()).toContain('getCallStatus');
    expect([...ids].sort()).toStrictEqual([...expected].sort());
    // camelCase, as generated clients name methods (`getCallStatus`, `login`).
    for (const id of ids) expect(id).toMatch(/^[a-z]+(?:[A-Z][a-z0-9]*)*$/);
  });

  it('documents the shared errors on every conference operation', () => {
    const conference = operations(doc).filter(([, op]) =>
      conferenceOperationIds().includes(op.operationId!),
    );
    expect(conference.length).toBe(conferenceOperationIds().length);
    for (const [key, op] of conference) {
      for (const status of ['200', '401', '404', '429', '500', '502', '503', '504']) {
        expect(op.responses[status], `${key} ${status}`).toBeDefined();
      }
    }
  });

  it('documents a success and the error envelope on every operation, with X-Request-Id', () => {
    for (const [key, op] of operations(doc)) {
      expect(op.responses['200'], `${key}: 200`).toBeDefined();
      for (const [status, response] of Object.entries(op.responses)) {
        const where = `${key} ${status}`;
        expect(response.headers?.['X-Request-Id'], where).toStrictEqual({
          $ref: '#/components/headers/X-Request-Id',
        });
        if (+status < 400) continue; // 200, and the JWK Set's 304 (no body)
        const json = response.content?.['application/json'];
        expect(json?.schema, where).toStrictEqual({
          $ref: '#/components/schemas/ErrorEnvelopeDto',
        });
        const examples = Object.values(jsonExamples(response));
        expect(examples.length, where).toBeGreaterThan(0);
        for (const example of examples) {
          expect(example.value, where).toMatchObject({ data: null, error: { code: +status } });
          expect(example.summary, where).toBeTypeOf('string');
        }
      }
    }
  });

  const operation = (key: string) => operations(doc).find(([other]) => other === key)![1];

  /** Each error status of an operation, with the messages of its examples. */
  const errorMessages = (op: Operation) =>
    Object.fromEntries(
      Object.keys(op.responses)
        .filter((status) => status !== '200')
        .map((status) => [
          status,
          Object.values(jsonExamples(op.responses[status]))
            .map((example) => (example.value as { error: { message: string } }).error.message)
            .sort(),
        ]),
    );

  it('lists every /auth/joinmember and /proconfToken error with its exact message', () => {
    const upstream = { '500': ['Internal server error'], '502': ['Bad gateway'] };
    const gateway = { '503': ['Service unavailable'], '504': ['Gateway timeout'] };
    // The shared responses any request can get (400 "Bad request" joins each operation's 400).
    const framework = {
      '408': ['Request timeout'],
      '417': ['Expectation failed'],
      '431': ['Request header fields too large'],
    };
    expect(errorMessages(operation('GET /auth/joinmember'))).toStrictEqual({
      '400': ['Bad request', 'Invalid room name.', 'Room name required in query param.'],
      '404': ['Not found', 'Not found', 'Room not found'],
      '429': ['Too many requests'],
      ...upstream,
      ...gateway,
      ...framework,
    });
    expect(errorMessages(operation('POST /proconfToken'))).toStrictEqual({
      '400': [
        'Bad request',
        'Bad request',
        'Bad request',
        'Invalid participant name.',
        'Invalid role.',
        'Invalid room name.',
        'Participant name required.',
        'Role required.',
        'Room required.',
      ],
      '401': ['Unauthorized'],
      '403': ['Forbidden', 'Forbidden'],
      '404': ['Not found', 'Room not found'],
      '413': ['Payload too large'],
      '415': ['Unsupported media type'],
      '429': ['Too many requests'],
      ...upstream,
      ...gateway,
      ...framework,
    });
  });

  it('lists every /callStatus error with its exact message', () => {
    const op = operation('GET /callStatus');
    const errors = errorMessages(op);
    expect(errors).toStrictEqual(
      Object.fromEntries(
        Object.entries(CALL_STATUS_ERRORS).map(([status, messages]) => [status, messages.sort()]),
      ),
    );
    const headers = (status: string) => Object.keys(op.responses[status].headers ?? {}).sort();
    expect(headers('200')).toStrictEqual(['Age', 'X-Request-Id']);
    expect(headers('401')).toStrictEqual(['WWW-Authenticate', 'X-Request-Id']);
    expect(headers('429')).toStrictEqual(['Retry-After', 'X-Request-Id']);
    expect(headers('503')).toStrictEqual(['Retry-After', 'X-Request-Id']);
  });

  it('declares a header that only some cases of a status send on that response, not required', () => {
    // /callSummary's 503: Retry-After with an open breaker, none while S3 is not configured.
    for (const path of ['/callSummary/{roomName}', '/callSummary']) {
      const response = doc.paths[path].get.responses['503'];
      expect(response.headers?.['Retry-After'], path).toMatchObject({
        required: false,
        schema: { type: 'integer', minimum: 1 },
        description: expect.stringMatching(/Only with s3BreakerOpen, serviceUnavailable\.$/),
      });
      expect(Object.keys(jsonExamples(response)).sort(), path).toStrictEqual([
        's3BreakerOpen',
        'serviceUnavailable',
        'summariesOff',
      ]);
    }
    expect(doc.paths['/callStatus'].get.responses['503'].headers?.['Retry-After']).toStrictEqual({
      $ref: '#/components/headers/Retry-After',
    });
  });

  it('shows the contract body as the /callStatus success example, in a named schema', () => {
    const json = doc.paths['/callStatus'].get.responses['200'].content?.['application/json'];
    expect(JSON.stringify(json?.example)).toBe(
      '{"error":null,"data":{"transcript_status":false,"recording_status":true}}',
    );
    expect(json?.schema).toStrictEqual({
      $ref: '#/components/schemas/CallStatusResponseEnvelopeDto',
    });
  });

  it('documents roomName with the default pattern and says it is configurable', () => {
    const [param] = doc.paths['/callStatus'].get.parameters ?? [];
    expect(param).toMatchObject({
      name: 'roomName',
      in: 'query',
      required: true,
      schema: {
        type: 'string',
        minLength: 1,
        maxLength: 128,
        pattern: `^${DEFAULT_ROOM_NAME_PATTERN}$`,
      },
    });
    expect(param.description).toContain('ROOM_NAME_PATTERN');
  });

  it('resolves every $ref to a named component', () => {
    const refs = [...new Set(refsIn(doc))];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const [, , kind, name] = ref.split('/');
      const defined = (doc.components as Record<string, Record<string, unknown>>)[kind]?.[name];
      expect(defined, ref).toBeDefined();
    }
  });

  it('applies the bearer scheme to the conference operations and /metrics only', () => {
    const secured = [...conferenceOperationIds(), ...SECURED_OTHERS];
    expect(doc.components.securitySchemes).toStrictEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
    });
    expect(doc.security).toBeUndefined();
    for (const [key, op] of operations(doc)) {
      const expected = secured.includes(op.operationId!) ? [{ bearer: [] }] : undefined;
      expect(op.security, key).toStrictEqual(expected);
    }
  });

  it('agrees with the server: bearer operations answer 401 without a token, the others do not', async () => {
    for (const [key, op] of operations(doc)) {
      const [method, path] = key.split(' ');
      const res = await t.app.inject({ method: method as 'GET' | 'POST', url: path });
      // Public: never 401 (the login route and the JWK Set are off in this app: 404; the guest
      // join route wants a room: 400).
      if (op.security === undefined) expect([200, 400, 404], key).toContain(res.statusCode);
      else
        expect(res.body, key).toBe(
          JSON.stringify(jsonExamples(op.responses['401']).unauthorized.value),
        );
    }
  });

  it('shows, byte for byte, what /callStatus answers in each case that is easy to provoke', async () => {
    t.sim.setRoom('demo', { recording_status: true, transcript_status: false });
    const examples = Object.assign(
      {},
      ...Object.values(doc.paths['/callStatus'].get.responses).map(jsonExamples),
    ) as Record<string, Example>;
    const scoped = { authorization: `Bearer ${t.token({ claims: { roomName: 'other' } })}` };
    const cases: [string, () => ReturnType<TestApp['get']>][] = [
      ['roomNameRequired', () => t.get('/callStatus')],
      ['invalidRoomName', () => t.get('/callStatus?roomName=a%20b')],
      ['unauthorized', () => t.get('/callStatus?roomName=demo', {})],
      ['forbiddenRoom', () => t.get('/callStatus?roomName=demo', scoped)],
      ['notFound', () => t.app.inject({ method: 'POST', url: '/callStatus?roomName=demo' })],
      ['roomNotFound', () => t.get('/callStatus?roomName=no-such-room')],
    ];
    for (const [name, send] of cases) {
      expect(examples[name], name).toBeDefined();
      const res = await send();
      expect(res.body, name).toBe(JSON.stringify(examples[name].value));
    }
  });

  it('serves the Swagger UI at /docs without a token, with its assets', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<div id="swagger-ui"></div>');
    // No inline script: the page works under a CSP of script-src 'self'.
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const assets = [...res.body.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map(([, url]) => url);
    const paths = assets
      .filter((url) => !url.startsWith('http') && !url.startsWith('#'))
      .map((url) => new URL(url, 'http://localhost/docs').pathname);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/docs/swagger-ui.css',
        '/docs/swagger-ui-bundle.js',
        '/docs/swagger-ui-standalone-preset.js',
        '/docs/swagger-ui-init.js',
      ]),
    );
    for (const path of paths) {
      const asset = await t.app.inject({ method: 'GET', url: path });
      expect(asset.statusCode, path).toBe(200);
      expect(asset.body.length, path).toBeGreaterThan(0);
    }
    const license = await t.app.inject({ method: 'GET', url: '/docs/LICENSE' });
    expect(license.statusCode).toBe(404);
    expect(license.body).toBe('{"error":{"code":404,"message":"Not found"},"data":null}');
    const init = await t.app.inject({ method: 'GET', url: '/docs/swagger-ui-init.js' });
    expect(init.headers['content-type']).toMatch(/^application\/javascript/);
    expect(init.body).toContain('"getCallStatus"');
  });

  // Last: class-validator's container is process-wide, so once this second app has booted,
  // the first one validates room names with the second one's pattern.
  it('does not depend on the environment', async () => {
    const other = await startTestApp({
      ROOM_NAME_PATTERN: '[a-z]+',
      METRICS_PUBLIC: 'true',
      RATE_LIMIT_ENABLED: 'false',
      PORT: '4321',
      HOST: '127.0.0.2',
    });
    try {
      const res = await other.app.inject({ method: 'GET', url: '/docs-json' });
      expect(res.json()).toStrictEqual(doc);
    } finally {
      await other.close();
    }
  });
});
