import type { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  type OperationObject,
  type PathItemObject,
} from '@nestjs/swagger';
import { BEARER_AUTH, RESPONSE_HEADERS } from './api-responses.decorator.js';

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
Every response carries \`X-Request-Id\` (yours when well-formed, otherwise generated).`;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The OpenAPI document of the app's controllers. It depends on code only (no host, port or
 * configuration), so the committed openapi.json is the same on every machine.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.0.3')
    .setTitle('ProCONF application server')
    .setDescription(DESCRIPTION)
    .setVersion(API_VERSION)
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
  return normalise(withRequestIdHeader(document));
}

/** Serves the UI at /docs and the document at /docs-json, public and outside Nest's pipeline. */
export function setupOpenApi(app: INestApplication): void {
  // Built on the first /docs request, not at boot: nothing here runs for other routes.
  let document: OpenAPIObject | undefined;
  SwaggerModule.setup(DOCS_PATH, app, () => (document ??= createOpenApiDocument(app)), {
    jsonDocumentUrl: DOCS_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'ProCONF application server API',
  });
}

function operationsOf(path: PathItemObject): OperationObject[] {
  return METHODS.flatMap((method) => path[method] ?? []);
}

// X-Request-Id is set by an onRequest hook for every response, so it is added here rather
// than repeated in each decorator.
function withRequestIdHeader(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values(document.paths)) {
    for (const operation of operationsOf(path)) {
      for (const response of Object.values(operation.responses)) {
        if (!('$ref' in response)) {
          response.headers = {
            'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' },
            ...response.headers,
          };
        }
      }
    }
  }
  return document;
}

function sortedByKey<T>(record: Record<string, T> | undefined): Record<string, T> | undefined {
  if (record === undefined) return undefined;
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// Maps whose order comes from module scan order are sorted; property and example order is
// kept as written (it is the documented field order of the contract).
function normalise(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values(document.paths)) {
    for (const operation of operationsOf(path)) {
      operation.responses = sortedByKey(operation.responses) ?? {};
    }
  }
  const components = document.components ?? {};
  return {
    ...document,
    paths: sortedByKey(document.paths) ?? {},
    ...(document.tags !== undefined
      ? { tags: [...document.tags].sort((a, b) => (a.name < b.name ? -1 : 1)) }
      : {}),
    components: {
      ...components,
      schemas: sortedByKey(components.schemas),
      headers: sortedByKey(components.headers),
      securitySchemes: sortedByKey(components.securitySchemes),
    },
  };
}
