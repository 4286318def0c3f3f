import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse as Response } from 'fastify';
import type { OpenAPIBackend, Operation } from 'openapi-backend';
import type { OpenAPIV3_1 } from 'openapi-types';
import {
  currentContract,
  headerValidator,
  OPENAPI_FILE,
  UNMATCHED,
  type ResponseObject,
} from './openapi-contract.js';

// Every e2e response is checked against the committed openapi.json, the file clients get:
// the route (method and path) picks the operation, then the status must be documented for it,
// and the headers, media type and body must match that response. openapi-backend routes and
// validates bodies; headers are checked here (the library would treat every documented header
// as required). The document is loaded and compiled by ./openapi-contract.ts.
//
// Answers outside the document:
// - no operation matches (unknown URL, wrong method): the answer must be one of the shared
//   responses under components.responses (404 "Not found", the framework-level 400/408/413/...);
// - HEAD is checked as the GET operation, without a body (RFC 9110: same headers as GET);
// - the Swagger UI and the document itself (/docs, /docs/*, /docs-json) are not operations:
//   only their errors are checked, as shared responses;
// - a CORS preflight answered 204 (OPTIONS with Origin and Access-Control-Request-Method) is
//   part of the CORS protocol, not of the API: it must have no body.

const DOCS_PATHS = /^\/docs(?:-json|\/.*)?$/;

type HeaderObject = OpenAPIV3_1.HeaderObject;

/** The parts of a response the check reads (light-my-request's Response has them). */
export interface CheckedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}
export interface CheckedResponse {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

function documented<T>(responses: Record<string, T> | undefined, status: number): T | undefined {
  if (responses === undefined) return undefined;
  return (
    responses[String(status)] ?? responses[`${Math.floor(status / 100)}XX`] ?? responses.default
  );
}

function mediaType(value: unknown): string | undefined {
  return typeof value === 'string' ? value.split(';')[0].trim().toLowerCase() : undefined;
}

function decodedPath(url: string): string {
  const path = url.split('?')[0];
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

interface Target {
  api: OpenAPIBackend;
  operation: Operation;
  response: ResponseObject;
  name: string;
}

function describeErrors(errors: { instancePath?: string; message?: string; params?: object }[]) {
  return errors.map((error) => {
    const allowed = (error.params as { allowedValues?: unknown[] } | undefined)?.allowedValues;
    const extra = allowed !== undefined ? ` (allowed: ${JSON.stringify(allowed)})` : '';
    return `${error.instancePath || '/'} ${error.message ?? 'is invalid'}${extra}`;
  });
}

function checkAgainst(target: Target, res: CheckedResponse, head: boolean): string[] {
  const problems: string[] = [];
  const { api, operation, response, name } = target;
  const headers = (response.headers ?? {}) as Record<string, HeaderObject>;
  const sent: Record<string, unknown> = {};
  for (const [header, spec] of Object.entries(headers)) {
    const value = res.headers[header.toLowerCase()];
    if (value !== undefined) sent[header.toLowerCase()] = value;
    else if (spec.required === true) {
      problems.push(`header ${header} is required (${name}) but missing`);
    }
  }
  const validateHeaders = headerValidator(response);
  if (!validateHeaders(sent)) {
    for (const message of describeErrors(validateHeaders.errors ?? [])) {
      problems.push(`header ${message.replace(/^\//, '')}`);
    }
  }

  const content = response.content ?? {};
  const type = mediaType(res.headers['content-type']);
  if (head || Object.keys(content).length === 0) {
    if (res.body !== '') problems.push(`a body was sent where ${name} documents none`);
    if (head || type === undefined) return problems;
  }
  if (type === undefined || content[type] === undefined) {
    const allowed = Object.keys(content).join(', ') || 'none';
    problems.push(`content-type ${String(type)} is not documented (${name}: ${allowed})`);
    return problems;
  }
  if (type !== 'application/json') return problems; // text/plain: a string, nothing to parse
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return [...problems, 'the body is not JSON'];
  }
  const bodyCheck = api.validator.validateResponse(body, operation, res.statusCode);
  for (const message of describeErrors(bodyCheck.errors ?? [])) problems.push(`body ${message}`);
  return problems;
}

/** What is wrong with this answer according to openapi.json; empty when it conforms. */
export async function conformanceProblems(
  req: CheckedRequest,
  res: CheckedResponse,
  file = OPENAPI_FILE,
): Promise<string[]> {
  const method = req.method.toUpperCase();
  const path = decodedPath(req.url);
  const head = method === 'HEAD';
  const status = res.statusCode;
  const preflight =
    method === 'OPTIONS' &&
    req.headers.origin !== undefined &&
    req.headers['access-control-request-method'] !== undefined;
  if (preflight && status === 204) {
    return res.body === '' ? [] : ['a CORS preflight was answered with a body'];
  }
  const docs = DOCS_PATHS.test(path);
  // Before the document is read: `npm run openapi` fetches /docs-json to rewrite a broken one.
  if (docs && status < 400) return [];

  const { api, shared, sharedResponses } = await currentContract(file);
  const operation = docs
    ? undefined
    : api.router.matchOperation({ method: head ? 'get' : method, path, headers: {} });
  if (operation !== undefined) {
    const where = `${operation.method.toUpperCase()} ${operation.path}`;
    const responses = operation.responses as Record<string, ResponseObject>;
    const response = documented(responses, status);
    if (response === undefined) {
      const listed = Object.keys(responses).join(', ');
      return [`status ${status} is not documented for ${where} (documented: ${listed})`];
    }
    return checkAgainst({ api, operation, response, name: `${where} ${status}` }, res, head);
  }
  const response = documented(sharedResponses, status);
  if (response === undefined) {
    const listed = Object.keys(sharedResponses).join(', ');
    return [
      `no operation matches ${method} ${path}, and ${status} is not one of the shared ` +
        `responses (components.responses: ${listed})`,
    ];
  }
  const unmatched = shared.getOperation(UNMATCHED)!;
  return checkAgainst(
    { api: shared, operation: unmatched, response, name: `shared ${status}` },
    res,
    head,
  );
}

/** Throws, naming the route, the status and each schema error, unless the answer conforms. */
export async function assertConforms(req: CheckedRequest, res: CheckedResponse): Promise<void> {
  const problems = await conformanceProblems(req, res);
  if (problems.length === 0) return;
  throw new Error(
    `${req.method} ${req.url} -> ${res.statusCode} does not conform to openapi.json:\n` +
      problems.map((problem) => `  - ${problem}`).join('\n') +
      `\n  body: ${res.body.slice(0, 300)}`,
  );
}

type Inject = NestFastifyApplication['inject'];

/**
 * Makes app.inject(options) check every answer against openapi.json: a response that does not
 * conform rejects the request's promise, so the test that sent it fails with the reason.
 */
export async function checkEveryInject(app: NestFastifyApplication): Promise<void> {
  // Loaded and compiled before the first request is timed; a broken file fails the first check.
  await currentContract().catch(() => undefined);
  const inject = app.inject.bind(app) as (options: InjectOptions | string) => Promise<Response>;
  const checked = (options?: InjectOptions | string): Promise<Response> => {
    if (options === undefined) {
      throw new Error('use app.inject(options): the chain form is not checked');
    }
    return inject(options).then(async (res) => {
      const req = res.raw.req as CheckedRequest;
      await assertConforms({ method: req.method, url: req.url, headers: req.headers }, res);
      return res;
    });
  };
  Object.assign(app, { inject: checked as Inject });
}
