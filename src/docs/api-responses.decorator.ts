import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiResponse,
  type ApiPropertyOptions,
  type ApiResponseOptions,
  type HeaderObject,
  type HeadersObject,
} from '@nestjs/swagger';
import { BEARER_CHALLENGE } from '../auth/jwt-auth.guard.js';
import { messageFor } from '../common/error-response.js';
import { ApiNullProperty } from './api-null-property.decorator.js';
import { ErrorEnvelopeDto } from './error-envelope.dto.js';

/** The security scheme every authenticated operation names. */
export const BEARER_AUTH = 'bearer';

/** Response headers, declared once under components.headers and referenced by name. */
export const RESPONSE_HEADERS = {
  'X-Request-Id': {
    description:
      'On every response: the caller\'s well-formed X-Request-Id (1-128 of "A-Za-z0-9._:-"), ' +
      'otherwise a generated UUID. Quote it when reporting a problem.',
    required: true,
    schema: { type: 'string', example: '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f' },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again.',
    required: true,
    schema: { type: 'integer', minimum: 1, example: 30 },
  },
  'WWW-Authenticate': {
    description:
      'Why the token was refused (RFC 6750 §3): `Bearer` when the request carried no bearer ' +
      'token; `Bearer error="invalid_token", error_description="The access token expired"` ' +
      'for an expired one; `Bearer error="invalid_token"` for any other bad token.',
    required: true,
    schema: { type: 'string', enum: Object.values(BEARER_CHALLENGE) },
  },
  Age: {
    description:
      'Only when Admin Control is failing and a recent status is served instead ' +
      '(stale-if-error, when the deployment enables it): the status age in seconds.',
    required: false,
    schema: { type: 'integer', minimum: 0, example: 12 },
  },
} satisfies Record<string, HeaderObject>;

export type ResponseHeaderName = keyof typeof RESPONSE_HEADERS;

function headerRefs(names: readonly ResponseHeaderName[] = []) {
  return Object.fromEntries(
    names.map((name) => [name, { $ref: `#/components/headers/${name}` }]),
  ) as HeadersObject;
}

/** One way a request can fail, as the client sees it. */
export interface ApiErrorCase {
  /** Key of the example in the document (camelCase, unique per operation). */
  name: string;
  status: number;
  message: string;
  /** When it happens: the example's summary. */
  when: string;
  headers?: readonly ResponseHeaderName[];
}

/** Cases shared by every endpoint; feature-specific ones live beside the feature. */
export const API_ERRORS = {
  unauthorized: {
    name: 'unauthorized',
    status: 401,
    message: messageFor(401),
    when: 'The bearer token is missing, malformed, expired, not yet valid or not signed by a trusted key',
    headers: ['WWW-Authenticate'],
  },
  forbiddenRoom: {
    name: 'forbiddenRoom',
    status: 403,
    message: messageFor(403),
    when: 'A room-scoped token (claim `roomName` or `room`) asks for another room',
  },
  notFound: {
    name: 'notFound',
    status: 404,
    message: messageFor(404),
    when: 'Unknown URL or wrong HTTP method (the API never answers 405)',
  },
  tooManyRequests: {
    name: 'tooManyRequests',
    status: 429,
    message: messageFor(429),
    when:
      "Over the caller's rate limit (counted per token subject; per client IP for requests " +
      'without a valid token or whose token has no subject)',
    headers: ['Retry-After'],
  },
  internal: {
    name: 'internal',
    status: 500,
    message: messageFor(500),
    when: 'An unexpected failure in this server (details are logged, never returned)',
  },
  badGateway: {
    name: 'badGateway',
    status: 502,
    message: messageFor(502),
    when: 'Admin Control failed: refused connection, 5xx, refused our call, or a malformed answer',
  },
  serviceUnavailable: {
    name: 'serviceUnavailable',
    status: 503,
    message: messageFor(503),
    when: 'Admin Control is failing (circuit breaker open) or too many calls are in flight',
    headers: ['Retry-After'],
  },
  gatewayTimeout: {
    name: 'gatewayTimeout',
    status: 504,
    message: messageFor(504),
    when: 'Admin Control did not answer in time',
  },
} satisfies Record<string, ApiErrorCase>;

/** What every authenticated endpoint that calls Admin Control can answer, besides its own cases. */
export const UPSTREAM_ENDPOINT_ERRORS: readonly ApiErrorCase[] = [
  API_ERRORS.unauthorized,
  API_ERRORS.notFound,
  API_ERRORS.tooManyRequests,
  API_ERRORS.internal,
  API_ERRORS.badGateway,
  API_ERRORS.serviceUnavailable,
  API_ERRORS.gatewayTimeout,
];

/** The body of an error case, in the key order the filter writes (see errorBody()). */
export function errorExample(status: number, message: string): unknown {
  const error = { code: status, message };
  return status === 404 || status === 500 ? { error, data: null } : { data: null, error };
}

// A header every case of the status sends is the shared, required one; a header only some
// cases send (a 503 with Retry-After beside one without) is declared on this response alone,
// not required, naming the cases that send it.
function errorHeaders(group: readonly ApiErrorCase[]): HeadersObject | undefined {
  const names = [...new Set(group.flatMap((c) => c.headers ?? []))];
  if (names.length === 0) return undefined;
  return Object.fromEntries(
    names.map((name) => {
      const senders = group.filter((c) => c.headers?.includes(name)).map((c) => c.name);
      if (senders.length === group.length) return [name, headerRefs([name])[name]];
      const shared = RESPONSE_HEADERS[name];
      const only = `Only with ${senders.join(', ')}.`;
      return [name, { ...shared, description: `${shared.description} ${only}`, required: false }];
    }),
  ) as HeadersObject;
}

/** Error responses: one entry per status, with one named example per case. */
export function ApiErrorResponses(...cases: readonly ApiErrorCase[]): MethodDecorator {
  const byStatus = new Map<number, ApiErrorCase[]>();
  for (const c of [...cases].sort((a, b) => a.status - b.status)) {
    byStatus.set(c.status, [...(byStatus.get(c.status) ?? []), c]);
  }
  const responses = [...byStatus].map(([status, group]): ApiResponseOptions => {
    const headers = errorHeaders(group);
    return {
      status,
      description: group.map((c) => `${c.message} — ${c.when}.`).join('\n\n'),
      type: ErrorEnvelopeDto,
      ...(headers !== undefined ? { headers } : {}),
      examples: Object.fromEntries(
        group.map((c) => [c.name, { summary: c.when, value: errorExample(status, c.message) }]),
      ),
    };
  });
  return applyDecorators(...responses.map((options) => ApiResponse(options)));
}

/**
 * What `data` is on success: a DTO class, or a schema named for the operation, e.g.
 * `{ name: 'CallCatchUp', schema: { type: 'string' } }` or
 * `{ name: 'Meetings', schema: { type: [MeetingDto] } }` (any @ApiProperty options).
 */
export type ApiData = Type | { name: string; schema: ApiPropertyOptions };

// One named envelope schema per payload (CallStatusResponseDto -> CallStatusResponseEnvelopeDto,
// { name: 'CallCatchUp' } -> CallCatchUpEnvelopeDto): generated clients get a concrete type.
const envelopes = new Map<string, { data: ApiData; envelope: Type }>();

function successEnvelope(data: ApiData): Type {
  const isDto = typeof data === 'function';
  const name = `${(isDto ? data.name : data.name).replace(/Dto$/, '')}EnvelopeDto`;
  const known = envelopes.get(name);
  if (known !== undefined) {
    if (known.data !== data) throw new Error(`Two success payloads are named ${name}`);
    return known.envelope;
  }
  const envelope = { [name]: class {} }[name] as Type;
  ApiNullProperty('Always null on success.')(envelope.prototype as object, 'error');
  const schema = isDto ? { type: () => data } : { required: true, ...data.schema };
  ApiProperty(schema as ApiPropertyOptions)(envelope.prototype as object, 'data');
  envelopes.set(name, { data, envelope });
  return envelope;
}

export interface ApiEnvelopeOkOptions {
  description: string;
  /** The `data` of the example; the envelope is added around it. */
  example: unknown;
  headers?: readonly ResponseHeaderName[];
}

/** 200 with `{"error":null,"data":<data>}`. */
export function ApiEnvelopeOk(data: ApiData, options: ApiEnvelopeOkOptions): MethodDecorator {
  return ApiOkResponse({
    description: options.description,
    type: successEnvelope(data),
    ...(options.headers !== undefined ? { headers: headerRefs(options.headers) } : {}),
    example: { error: null, data: options.example },
  });
}

export interface ApiConferenceOperationOptions {
  /** The client method name generated from it, e.g. `getCallStatus`. */
  operationId: string;
  summary: string;
  description?: string;
  ok: ApiData;
  okExample: unknown;
  okDescription?: string;
  okHeaders?: readonly ResponseHeaderName[];
  /** This endpoint's own cases (400s, domain 404s, 403...); the shared ones are added. */
  errors?: readonly ApiErrorCase[];
}

// Every operation documented with ApiConferenceOperation: the OpenAPI spec reads it.
const conferenceOperations = new Set<string>();

/** The operationIds of the conference endpoints (those imported so far). */
export function conferenceOperationIds(): readonly string[] {
  return [...conferenceOperations];
}

/** Everything a bearer-protected endpoint backed by Admin Control documents, in one decorator. */
export function ApiConferenceOperation(options: ApiConferenceOperationOptions): MethodDecorator {
  conferenceOperations.add(options.operationId);
  return applyDecorators(
    ApiOperation({
      operationId: options.operationId,
      summary: options.summary,
      ...(options.description !== undefined ? { description: options.description } : {}),
    }),
    ApiBearerAuth(BEARER_AUTH),
    ApiEnvelopeOk(options.ok, {
      description: options.okDescription ?? 'Success envelope.',
      example: options.okExample,
      headers: options.okHeaders,
    }),
    ApiErrorResponses(...(options.errors ?? []), ...UPSTREAM_ENDPOINT_ERRORS),
  );
}
