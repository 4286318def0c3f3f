import { Logger, type INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  type OperationObject,
  type PathItemObject,
  type ReferenceObject,
  type ResponseObject,
} from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppException } from '../common/app.exception.js';
import { errorBody, toErrorResponse } from '../common/error-response.js';
import { UnauthenticatedThrottle } from '../throttle/unauthenticated.throttle.js';
import { BEARER_AUTH, RESPONSE_HEADERS } from './api-responses.decorator.js';
import { withSharedResponses } from './shared-responses.js';

export const DOCS_PATH = '/docs';
export const DOCS_JSON_PATH = '/docs-json';

// The API's version: bump it when the contract changes, not with every release of the server.
const API_VERSION = '0.1.0';

const DESCRIPTION = `The authenticated gateway between ProCONF client apps and Admin Control.

Every JSON body is an envelope: \`{"error":null,"data":...}\` on success,
\`{"data":null,"error":{"code":<HTTP status>,"message":"..."}}\` on error; \`code\` repeats
the status and \`message\` is one of the fixed texts listed with each response.

Authentication: \`Authorization: Bearer <JWT>\` on every operation that lists the bearer
scheme; a token that carries a room claim (\`roomName\` or \`room\`) may read only that room.
Every response carries \`X-Request-Id\` (yours when well-formed, otherwise generated).

Any URL may also answer, in the same envelope, 400 "Bad request" (malformed URL), 408, 413,
414, 417 or 431 when the request itself cannot be read (components.responses lists them; each
operation references those it can get), and 404 "Not found" where no operation matches.`;

// Relative first: clients and tools use the origin they fetched the document from; the demo
// second (`npm run demo`, whose simulator knows the roomName example).
const SERVERS = [
  { url: '/', description: 'The server this document was fetched from' },
  { url: 'http://127.0.0.1:3000', description: 'The local demo (`npm run demo`)' },
];

const logger = new Logger('OpenApi');

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The OpenAPI document of the app's controllers. It depends on code only (no host, port or
 * configuration), so the committed openapi.json is the same on every machine.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('ProCONF application server')
    .setDescription(DESCRIPTION)
    .setVersion(API_VERSION)
    .addTag('conference', 'What client apps call during a meeting.')
    .addTag('identity', 'Sign-in and the public keys of the tokens this server signs.')
    .addTag('health', 'Probes for orchestrators and load balancers; no token needed.')
    .addTag('metrics', 'Prometheus scraping.')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'A JWT signed by a key this deployment trusts (HS256 secret, PEM or JWKS).',
      },
      BEARER_AUTH,
    )
    .build();
  config.components = { ...config.components, headers: { ...RESPONSE_HEADERS } };
  const document = SwaggerModule.createDocument(app, config, {
    // Explicit operationIds (ApiOperation) win; otherwise the method name, not Controller_method.
    operationIdFactory: (_controller, method) => method,
  });
  return withSharedResponses(normalise(document));
}

// What the Swagger UI page loads from swagger-ui-dist. The package holds more (1.9 MB source
// maps, its package.json, README, CommonJS entry points): none of it is served.
const UI_ASSETS = new Set([
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-16x16.png',
  'favicon-32x32.png',
]);

/**
 * Serves the UI at /docs and the document at /docs-json, public and outside Nest's pipeline
 * (guards included): each request counts against its client IP's rate limit here instead.
 */
export function setupOpenApi(app: NestFastifyApplication): void {
  const throttle = app.get(UnauthenticatedThrottle);
  const guardDocs = async (request: FastifyRequest): Promise<void> => {
    const refusal = await throttle.count(request);
    if (refusal !== undefined) throw refusal;
    // The static files' route (/docs/*): only the UI's own assets.
    const file = (request.params as { '*'?: string })['*'];
    if (file !== undefined && !UI_ASSETS.has(file)) throw new AppException(404, 'Not found');
  };
  // Swagger's routes are plain Fastify routes that Nest's filter never sees: their errors (its
  // 404 for /docs/LICENSE, a failure building the document) still answer in the envelope.
  // onRoute runs once per route at registration, never per request.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      if (route.url === DOCS_JSON_PATH || route.url.startsWith(DOCS_PATH)) {
        route.errorHandler = renderError;
        route.onRequest = [route.onRequest ?? []].flat().concat(guardDocs);
      }
    });
  // Built on the first /docs request, not at boot: nothing here runs for other routes.
  let document: OpenAPIObject | undefined;
  SwaggerModule.setup(DOCS_PATH, app, () => (document ??= createOpenApiDocument(app)), {
    jsonDocumentUrl: DOCS_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'ProCONF application server API',
  });
}

function renderError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const response = toErrorResponse(error);
  if (response.unexpected) logger.error(String(error), (error as Error | null)?.stack);
  const body = errorBody(response.status, response.message);
  void reply
    .code(response.status)
    .headers(response.headers)
    .type('application/json; charset=utf-8');
  // The static files' route takes HEAD itself (no automatic HEAD route strips the body):
  // GET's headers without the body (RFC 9110 §9.3.2), as Node sends it on the wire anyway.
  if (request.method === 'HEAD') {
    void reply.header('content-length', Buffer.byteLength(body)).send();
  } else {
    void reply.send(body);
  }
}

function byKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

// X-Request-Id is set by an onRequest hook on every response, so it is added here rather than
// repeated in each decorator. Keys come in one order: description, headers, content.
function normaliseResponse(
  response: ResponseObject | ReferenceObject,
): ResponseObject | ReferenceObject {
  if ('$ref' in response) return response;
  const { description, headers, content, ...rest } = response;
  return {
    description,
    headers: { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' }, ...headers },
    ...(content !== undefined ? { content } : {}),
    ...rest,
  };
}

const OPERATION_KEYS = ['operationId', 'summary', 'description', 'tags', 'security'] as const;

function normaliseOperation(operation: OperationObject): OperationObject {
  const { parameters, responses, ...rest } = operation;
  const first = OPERATION_KEYS.filter((key) => rest[key] !== undefined);
  const sorted = byKey(responses as Record<string, ResponseObject | ReferenceObject>);
  return {
    ...Object.fromEntries(first.map((key) => [key, rest[key]])),
    ...rest,
    ...(parameters !== undefined && parameters.length > 0 ? { parameters } : {}),
    responses: Object.fromEntries(
      Object.entries(sorted).map(([status, response]) => [status, normaliseResponse(response)]),
    ),
  };
}

// Maps whose order follows module scan order are sorted by key; property and example order
// is kept as written (the contract's field order). Empty placeholders are dropped.
function normalise(document: OpenAPIObject): OpenAPIObject {
  const paths: Record<string, PathItemObject> = {};
  for (const [url, item] of Object.entries(byKey(document.paths))) {
    paths[url] = { ...item };
    for (const method of METHODS) {
      const operation = item[method];
      if (operation !== undefined) paths[url][method] = normaliseOperation(operation);
    }
  }
  const { openapi, info, tags, servers: _servers, components = {}, ...rest } = document;
  const { contact: _contact, ...cleanInfo } = info;
  return {
    openapi,
    info: cleanInfo,
    servers: SERVERS,
    tags: [...(tags ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1)),
    ...rest,
    paths,
    components: {
      securitySchemes: byKey(components.securitySchemes ?? {}),
      headers: byKey(components.headers ?? {}),
      schemas: byKey(components.schemas ?? {}),
    },
  };
}
