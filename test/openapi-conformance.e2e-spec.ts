import { Validator } from '@seriousme/openapi-schema-validator';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAPIBackend, type Document } from 'openapi-backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEARER_CHALLENGE } from '../src/auth/jwt-auth.guard.js';
import { messageFor } from '../src/common/error-response.js';
import { DEMO_ROOMS } from '../tools/admin-simulator.mjs';
import {
  assertConforms,
  conformanceProblems,
  type CheckedResponse,
} from './support/openapi-conformance.js';
import { OPENAPI_FILE, openApiAjv } from './support/openapi-contract.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type Json = Record<string, unknown>;
interface Media {
  schema?: Json;
  example?: unknown;
  examples?: Record<string, { value: { error: { code: number; message: string } } }>;
}
interface Response {
  $ref?: string;
  content?: Record<string, Media>;
}
interface Doc {
  openapi: string;
  paths: Record<
    string,
    Record<string, { requestBody?: unknown; responses: Record<string, Response> }>
  >;
  components: { schemas: Record<string, Json>; responses: Record<string, Response> };
}

const readDocument = async (): Promise<Doc> =>
  JSON.parse(await readFile(OPENAPI_FILE, 'utf8')) as Doc;

function keysIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysIn(inner)]);
}

describe('openapi.json for standard validators', () => {
  let doc: Doc;
  beforeAll(async () => {
    doc = await readDocument();
  });

  it('is a valid OpenAPI 3.1 document (the official schema)', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as never);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('compiles every response schema with Ajv in strict mode (JSON Schema 2020-12)', () => {
    // Dereferenced by the OpenAPI library, then one compile per operation, status and media type.
    const api = new OpenAPIBackend({
      definition: structuredClone(doc) as unknown as Document,
      quick: true,
    });
    const failures: string[] = [];
    const ajv = openApiAjv({ strict: true });
    let compiled = 0;
    const resolve = (response: Response) =>
      response.$ref === undefined
        ? response
        : doc.components.responses[response.$ref.split('/').pop()!];
    const documented = Object.values(doc.paths)
      .flatMap((item) => Object.values(item))
      .flatMap((operation) => Object.values(operation.responses))
      .flatMap((response) => Object.keys(resolve(response).content ?? {})).length;
    return api.init().then(() => {
      for (const operation of api.getOperations()) {
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          for (const [type, media] of Object.entries((response as Response).content ?? {})) {
            const where = `${operation.method.toUpperCase()} ${operation.path} ${status} ${type}`;
            try {
              ajv.compile(media.schema as Json);
              compiled += 1;
            } catch (error) {
              failures.push(`${where}: ${(error as Error).message}`);
            }
          }
        }
      }
      expect(failures).toStrictEqual([]);
      expect(compiled).toBe(documented);
      expect(compiled).toBeGreaterThanOrEqual(41); // 5 operations: 13 + 6 + 6 + 7 + 9 responses
    });
  });

  it('precompiles every response validator in the library the e2e checks use', async () => {
    const api = new OpenAPIBackend({
      definition: structuredClone(doc) as unknown as Document,
      quick: true,
      customizeAjv: (_ajv, options) => openApiAjv({ ...options, strict: false }) as never,
    });
    await api.init();
    expect(() => api.validator.preCompileResponseValidators()).not.toThrow();
    expect(() => api.validator.preCompileResponseHeaderValidators()).not.toThrow();
  });

  it('has no 3.0 `nullable` (Prism appends null to an enum that has it: a duplicate)', () => {
    expect(keysIn(doc)).not.toContain('nullable');
    // Every envelope: exactly one of error and data is always null, as type null.
    const envelopes = Object.entries(doc.components.schemas).filter(([, schema]) => {
      const properties = (schema.properties ?? {}) as Json;
      return 'error' in properties && 'data' in properties;
    });
    for (const [name, schema] of envelopes) {
      const properties = schema.properties as Record<string, Json>;
      const alwaysNull = ['error', 'data'].filter((key) => properties[key].type === 'null');
      expect(alwaysNull, name).toStrictEqual([name === 'ErrorEnvelopeDto' ? 'data' : 'error']);
    }
    expect(envelopes.map(([name]) => name)).toEqual(
      expect.arrayContaining(['ErrorEnvelopeDto', 'CallStatusResponseEnvelopeDto']),
    );
  });

  it('documents the framework-level answers in the envelope and references them', () => {
    const shared = Object.fromEntries(
      Object.entries(doc.components.responses).map(([name, response]) => {
        const json = response.content?.['application/json'];
        const [example] = Object.values(json?.examples ?? {});
        expect(json?.schema, name).toStrictEqual({
          $ref: '#/components/schemas/ErrorEnvelopeDto',
        });
        expect(example.value.error.message, name).toBe(messageFor(example.value.error.code));
        return [example.value.error.code, name];
      }),
    );
    expect(shared).toStrictEqual({
      400: 'BadRequest',
      404: 'NotFound',
      408: 'RequestTimeout',
      413: 'PayloadTooLarge',
      414: 'UriTooLong',
      417: 'ExpectationFailed',
      429: 'TooManyRequests',
      431: 'RequestHeaderFieldsTooLarge',
    });
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        // 413 is for an operation that takes a body; 414 is for a path parameter.
        const statuses = Object.keys(operation.responses);
        expect(statuses, `${method} ${path}`).toEqual(
          expect.arrayContaining(['400', '408', '417', '431']),
        );
        expect(statuses.includes('413'), `${method} ${path}`).toBe(
          operation.requestBody !== undefined,
        );
        expect(statuses.includes('414'), `${method} ${path}`).toBe(path.includes('{'));
      }
    }
  });
});

describe('the roomName example', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { rooms: { ...DEMO_ROOMS } });
  });
  afterAll(() => t.close());

  it('names a room of the demo, which answers the documented success example', async () => {
    const doc = await readDocument();
    const operation = doc.paths['/callStatus'].get as unknown as {
      parameters: { name: string; schema: { example: string } }[];
    };
    const room = operation.parameters.find((p) => p.name === 'roomName')!.schema.example;
    expect(Object.keys(DEMO_ROOMS)).toContain(room);
    const res = await t.get(`/callStatus?roomName=${room}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toStrictEqual(
      doc.paths['/callStatus'].get.responses['200'].content?.['application/json'].example,
    );
  });
});

describe('conformance of answers to openapi.json', () => {
  const ENVELOPE_404 = '{"error":{"code":404,"message":"Not found"},"data":null}';
  const OK_BODY = '{"error":null,"data":{"transcript_status":false,"recording_status":true}}';
  const json = { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r-1' };
  const get = (url: string, headers: Record<string, string> = {}) => ({
    method: 'GET',
    url,
    headers,
  });
  const answer = (
    statusCode: number,
    body: string,
    headers: CheckedResponse['headers'] = json,
  ): CheckedResponse => ({ statusCode, body, headers });

  it.each([
    ['the success envelope', get('/callStatus?roomName=a'), answer(200, OK_BODY)],
    [
      'a 401 with its WWW-Authenticate',
      get('/callStatus'),
      answer(401, '{"data":null,"error":{"code":401,"message":"Unauthorized"}}', {
        ...json,
        'www-authenticate': 'Bearer',
      }),
    ],
    ['an unknown URL answering the shared 404', get('/nope'), answer(404, ENVELOPE_404)],
    [
      'a wrong method answering the shared 404',
      { method: 'POST', url: '/callStatus', headers: {} },
      answer(404, ENVELOPE_404),
    ],
    [
      'HEAD as the GET operation, without a body',
      { method: 'HEAD', url: '/health', headers: {} },
      answer(200, ''),
    ],
    [
      'a percent-encoded path that routes to the operation',
      get('/call%53tatus?roomName=a'),
      answer(200, OK_BODY),
    ],
    [
      'a CORS preflight answered 204',
      {
        method: 'OPTIONS',
        url: '/callStatus',
        headers: { origin: 'https://a.example', 'access-control-request-method': 'GET' },
      },
      answer(204, '', {}),
    ],
    ['the Swagger UI', get('/docs'), answer(200, '<html>', { 'content-type': 'text/html' })],
    ['a docs route answering the shared 404', get('/docs/LICENSE'), answer(404, ENVELOPE_404)],
    [
      'Prometheus text on /metrics',
      get('/metrics'),
      answer(200, '# TYPE x counter\n', {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
        'x-request-id': 'r-1',
      }),
    ],
  ])('accepts %s', async (_name, req, res) => {
    expect(await conformanceProblems(req, res)).toStrictEqual([]);
  });

  it.each([
    [
      'a success whose error is not null',
      get('/callStatus?roomName=a'),
      answer(200, '{"error":{},"data":{"transcript_status":false,"recording_status":true}}'),
      ['body /error must be null'],
    ],
    [
      'a success missing a field',
      get('/callStatus?roomName=a'),
      answer(200, '{"error":null,"data":{"recording_status":true}}'),
      ["body /data must have required property 'transcript_status'"],
    ],
    [
      'an error whose data is not null',
      get('/callStatus'),
      answer(400, '{"data":{},"error":{"code":400,"message":"Bad request"}}'),
      ['body /data must be null'],
    ],
    [
      'a status the operation does not document',
      get('/health'),
      answer(503, '{"data":null,"error":{"code":503,"message":"Service unavailable"}}'),
      ['status 503 is not documented for GET /health (documented: 200, 400, 408, 417, 431, 500)'],
    ],
    [
      'a 401 without WWW-Authenticate',
      get('/callStatus'),
      answer(401, '{"data":null,"error":{"code":401,"message":"Unauthorized"}}'),
      ['header WWW-Authenticate is required (GET /callStatus 401) but missing'],
    ],
    [
      'a WWW-Authenticate the document does not list',
      get('/callStatus'),
      answer(401, '{"data":null,"error":{"code":401,"message":"Unauthorized"}}', {
        ...json,
        'www-authenticate': 'Basic',
      }),
      [
        'header www-authenticate must be equal to one of the allowed values ' +
          `(allowed: ${JSON.stringify(Object.values(BEARER_CHALLENGE))})`,
      ],
    ],
    [
      'a Retry-After that is not a number of seconds',
      get('/callStatus'),
      answer(429, '{"data":null,"error":{"code":429,"message":"Too many requests"}}', {
        ...json,
        'retry-after': 'soon',
      }),
      ['header retry-after must be integer'],
    ],
    [
      'an answer without X-Request-Id',
      get('/nope'),
      answer(404, ENVELOPE_404, { 'content-type': 'application/json' }),
      ['header X-Request-Id is required (shared 404) but missing'],
    ],
    [
      'a media type the response does not document',
      get('/health'),
      answer(200, 'ok', { 'content-type': 'text/plain', 'x-request-id': 'r-1' }),
      ['content-type text/plain is not documented (GET /health 200: application/json)'],
    ],
    ['a body that is not JSON', get('/health'), answer(200, '<html>'), ['the body is not JSON']],
    [
      'an unknown URL answering 200',
      get('/nope'),
      answer(200, '{"error":null,"data":null}'),
      [
        'no operation matches GET /nope, and 200 is not one of the shared responses ' +
          '(components.responses: 400, 404, 408, 413, 414, 417, 429, 431)',
      ],
    ],
    [
      'a trailing slash (the server does not route it to the operation)',
      get('/health/'),
      answer(200, '{"error":null,"data":{"status":"ok"}}'),
      [
        'no operation matches GET /health/, and 200 is not one of the shared responses ' +
          '(components.responses: 400, 404, 408, 413, 414, 417, 429, 431)',
      ],
    ],
    [
      'HEAD with a body',
      { method: 'HEAD', url: '/health', headers: {} },
      answer(200, '{"error":null,"data":{"status":"ok"}}'),
      ['a body was sent where GET /health 200 documents none'],
    ],
    [
      'a docs route failing outside the envelope',
      get('/docs/LICENSE'),
      answer(404, '{"statusCode":404}'),
      ["body / must have required property 'data'", "body / must have required property 'error'"],
    ],
  ])('refuses %s', async (_name, req, res, problems) => {
    expect(await conformanceProblems(req, res)).toStrictEqual(problems);
  });

  it('fails with the route, the status and the schema error', async () => {
    await expect(
      assertConforms(get('/callStatus?roomName=a'), answer(200, '{"error":null,"data":{}}')),
    ).rejects.toThrow(
      'GET /callStatus?roomName=a -> 200 does not conform to openapi.json:\n' +
        "  - body /data must have required property 'transcript_status'\n" +
        "  - body /data must have required property 'recording_status'\n" +
        '  body: {"error":null,"data":{}}',
    );
  });

  describe('on live answers', () => {
    let t: TestApp;
    let dir: string;
    beforeAll(async () => {
      t = await startTestApp({}, { rooms: { demo: { recording_status: true } } });
      dir = await mkdtemp(join(tmpdir(), 'openapi-'));
    });
    afterAll(async () => {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('checks every app.inject answer, and catches a document that drifted', async () => {
      // The live answer conforms to the committed document (startTestApp checked it too) ...
      const res = await t.get('/callStatus?roomName=demo');
      const req = { method: 'GET', url: '/callStatus?roomName=demo', headers: {} };
      expect(await conformanceProblems(req, res)).toStrictEqual([]);
      // ... and not to one that says recording_status is a string.
      const drifted = await readDocument();
      const dto = drifted.components.schemas.CallStatusResponseDto as {
        properties: Record<string, Json>;
      };
      dto.properties.recording_status.type = 'string';
      const file = join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(drifted));
      expect(await conformanceProblems(req, res, file)).toStrictEqual([
        'body /data/recording_status must be string',
      ]);
    });

    it('rejects the chain form of inject, which it could not check', () => {
      expect(() => (t.app.inject as () => unknown)()).toThrow('use app.inject(options)');
    });
  });
});
