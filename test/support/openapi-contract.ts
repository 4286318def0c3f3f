import { Ajv2020, type Options as AjvOptions, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OpenAPIBackend, type Document } from 'openapi-backend';
import type { OpenAPIV3_1 } from 'openapi-types';

// The committed openapi.json as the conformance check uses it: routed, dereferenced and with
// every validator compiled, by openapi-backend on Ajv's JSON Schema 2020-12 dialect (the one
// OpenAPI 3.1 schemas use).

export const OPENAPI_FILE = join(import.meta.dirname, '..', '..', 'openapi.json');

export type ResponseObject = OpenAPIV3_1.ResponseObject;
type HeaderObject = OpenAPIV3_1.HeaderObject;

/** Ajv for OpenAPI 3.1 schemas; the OpenAPI-only keywords are known, so strict mode works too. */
export function openApiAjv(options: AjvOptions = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, ...options });
  // A CommonJS module whose default export is also its `default` property.
  ajvFormats.default(ajv);
  ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs']);
  return ajv;
}

export interface Contract {
  api: OpenAPIBackend;
  /** The same document with one operation answering every shared response (no route). */
  shared: OpenAPIBackend;
  sharedResponses: Record<string, ResponseObject>;
}

export const UNMATCHED = 'unmatchedRoute';
const contracts = new Map<string, { mtimeMs: number; contract: Promise<Contract> }>();

// One Ajv per set of options: a dereferenced document shares one object per component
// (ErrorEnvelopeDto under every error status), which Ajv then compiles once.
const ajvs = new Map<string, Ajv2020>();
function sharedAjv(options: AjvOptions): Ajv2020 {
  const key = JSON.stringify(options);
  let ajv = ajvs.get(key);
  if (ajv === undefined) ajvs.set(key, (ajv = openApiAjv({ ...options, strict: false })));
  return ajv;
}

// Header values are strings on the wire: coerced to the schema's type ("30" -> 30).
const headerValidators = new WeakMap<ResponseObject, ValidateFunction>();
export function headerValidator(response: ResponseObject): ValidateFunction {
  let validate = headerValidators.get(response);
  if (validate === undefined) {
    const headers = (response.headers ?? {}) as Record<string, HeaderObject>;
    const properties = Object.fromEntries(
      Object.entries(headers).map(([name, header]) => [name.toLowerCase(), header.schema ?? {}]),
    );
    validate = sharedAjv({ allErrors: true, coerceTypes: true }).compile({
      type: 'object',
      properties,
    });
    headerValidators.set(response, validate);
  }
  return validate;
}

async function backend(definition: Document): Promise<OpenAPIBackend> {
  // quick: the definition is checked by its own test against the OpenAPI 3.1 schema (this
  // library checks against 3.0 only).
  const api = new OpenAPIBackend({
    definition: structuredClone(definition),
    quick: true,
    ignoreTrailingSlashes: false,
    customizeAjv: (_ajv, options) => sharedAjv(options) as never,
  });
  await api.init();
  // Compiled now, not on the first answer: a timing-sensitive test must not pay for it.
  for (const operation of api.getOperations()) {
    api.validator.getStatusBasedResponseValidatorForOperation(operation.operationId!);
    for (const response of Object.values(operation.responses ?? {})) {
      headerValidator(response as ResponseObject);
    }
  }
  return api;
}

async function loadContract(file: string): Promise<Contract> {
  const document = JSON.parse(readFileSync(file, 'utf8')) as OpenAPIV3_1.Document;
  const shared = document.components?.responses ?? {};
  const byStatus = Object.fromEntries(
    Object.entries(shared).map(([name, response]) => [
      statusOfShared(name, response as ResponseObject),
      { $ref: `#/components/responses/${name}` },
    ]),
  );
  const sharedDocument: OpenAPIV3_1.Document = {
    ...document,
    paths: { '/': { get: { operationId: UNMATCHED, responses: byStatus } } },
  };
  const [api, sharedApi] = await Promise.all([backend(document), backend(sharedDocument)]);
  const operation = sharedApi.getOperation(UNMATCHED);
  return {
    api,
    shared: sharedApi,
    sharedResponses: (operation?.responses ?? {}) as Record<string, ResponseObject>,
  };
}

// A shared response's status is the `code` of its example (one envelope example each).
function statusOfShared(name: string, response: ResponseObject): string {
  const examples = response.content?.['application/json']?.examples ?? {};
  for (const example of Object.values(examples)) {
    const code = (example as { value?: { error?: { code?: unknown } } }).value?.error?.code;
    if (typeof code === 'number') return String(code);
  }
  throw new Error(`openapi.json: components.responses.${name} has no error example with a code`);
}

/** The committed document, read again when the file changes (npm run openapi rewrites it). */
export function currentContract(file = OPENAPI_FILE): Promise<Contract> {
  const { mtimeMs } = statSync(file);
  const known = contracts.get(file);
  if (known?.mtimeMs === mtimeMs) return known.contract;
  const contract = loadContract(file).catch((error: unknown) => {
    throw new Error(`${file} cannot be used: ${String(error)} (npm run openapi rewrites it)`);
  });
  contracts.set(file, { mtimeMs, contract });
  return contract;
}
