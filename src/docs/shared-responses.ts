import type {
  OpenAPIObject,
  OperationObject,
  ReferenceObject,
  ResponseObject,
  ResponsesObject,
} from '@nestjs/swagger';
import { messageFor } from '../common/error-response.js';
import { errorExample, type ResponseHeaderName } from './api-responses.decorator.js';

/** Which operations can get a shared response, besides any URL no operation has. */
type Scope = 'every' | 'withBody' | 'withPathParams' | 'none';

interface SharedResponse {
  status: number;
  when: string;
  scope: Scope;
  /** Besides X-Request-Id, which every answer carries. */
  headers?: readonly ResponseHeaderName[];
}

// Answers that come from the router, the body parser or Node's HTTP parser rather than from an
// operation: any URL can get them, in the error envelope like every error. They live under
// components.responses; each operation references those it can get.
export const SHARED_RESPONSES = {
  BadRequest: {
    status: 400,
    when:
      'The request cannot be read: a malformed URL (bad percent-encoding), request line, ' +
      'header or body framing',
    scope: 'every',
  },
  NotFound: {
    status: 404,
    when: 'No operation has this URL and method (the API never answers 405)',
    scope: 'none',
  },
  RequestTimeout: {
    status: 408,
    when: 'The request did not arrive completely within 30 seconds',
    scope: 'every',
  },
  PayloadTooLarge: {
    status: 413,
    when: 'A request body over 16 KB',
    scope: 'withBody',
  },
  UriTooLong: {
    status: 414,
    when:
      'A path parameter longer than 16,384 characters (over HTTP, Node refuses a request line ' +
      'that long with 431 first)',
    scope: 'withPathParams',
  },
  ExpectationFailed: {
    status: 417,
    when: 'An `Expect` header other than `100-continue`',
    scope: 'every',
  },
  RequestHeaderFieldsTooLarge: {
    status: 431,
    when: 'The request line and headers together exceed 16 KB',
    scope: 'every',
  },
  TooManyRequests: {
    status: 429,
    when: 'The Swagger UI or the document requested more often than the rate limit allows',
    scope: 'none',
    headers: ['Retry-After'],
  },
} satisfies Record<string, SharedResponse>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

// Named like the other examples (camelCase), its value the body the filter writes.
function examples(name: string, { status, when }: SharedResponse) {
  const value = errorExample(status, messageFor(status));
  return { [name[0].toLowerCase() + name.slice(1)]: { summary: when, value } };
}

function sharedResponse(name: string, shared: SharedResponse): ResponseObject {
  const { status, when, headers = [] } = shared;
  return {
    description: `${messageFor(status)} — ${when}.`,
    headers: Object.fromEntries(
      ['X-Request-Id', ...headers].map((header) => [
        header,
        { $ref: `#/components/headers/${header}` },
      ]),
    ),
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/ErrorEnvelopeDto' },
        examples: examples(name, shared),
      },
    },
  };
}

function applies(scope: Scope, path: string, operation: OperationObject): boolean {
  if (scope === 'every') return true;
  if (scope === 'withBody') return operation.requestBody !== undefined;
  if (scope === 'withPathParams') return path.includes('{');
  return false;
}

// An operation that documents the status itself keeps its response and gains the shared case
// as one more example, so a validator finds every case under the one status.
function addTo(operation: OperationObject, name: string, shared: SharedResponse): ResponsesObject {
  const key = String(shared.status);
  const own: ResponseObject | ReferenceObject | undefined = operation.responses[key];
  if (own === undefined) {
    return { ...operation.responses, [key]: { $ref: `#/components/responses/${name}` } };
  }
  if ('$ref' in own) return operation.responses;
  const json = own.content?.['application/json'];
  if (json === undefined) return operation.responses;
  return {
    ...operation.responses,
    [key]: {
      ...own,
      description: `${own.description}\n\n${messageFor(shared.status)} — ${shared.when}.`,
      content: {
        ...own.content,
        'application/json': {
          ...json,
          examples: { ...json.examples, ...examples(name, shared) },
        },
      },
    },
  };
}

function byStatus(responses: ResponsesObject): ResponsesObject {
  return Object.fromEntries(Object.entries(responses).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Declares the shared responses under components.responses and references them per operation. */
export function withSharedResponses(document: OpenAPIObject): OpenAPIObject {
  const entries = Object.entries(SHARED_RESPONSES) as [string, SharedResponse][];
  const paths = Object.fromEntries(
    Object.entries(document.paths).map(([path, item]) => {
      const next = { ...item };
      for (const method of METHODS) {
        let operation = item[method];
        if (operation === undefined) continue;
        for (const [name, shared] of entries) {
          if (!applies(shared.scope, path, operation)) continue;
          operation = { ...operation, responses: addTo(operation, name, shared) };
        }
        next[method] = { ...operation, responses: byStatus(operation.responses) };
      }
      return [path, next];
    }),
  );
  return {
    ...document,
    paths,
    components: {
      ...document.components,
      responses: Object.fromEntries(
        entries.map(([name, shared]) => [name, sharedResponse(name, shared)]),
      ),
    },
  };
}
