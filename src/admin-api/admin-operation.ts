import { AppException } from '../common/app.exception.js';
import { declareCacheVariables, type CacheVariables } from '../config/cache.config.js';

// Admin Control operations as data: each endpoint declares the call it makes (beside its
// controller), and AdminApiClient runs any declared operation through one path. Compare the
// AWS SDK v3's `client.send(new GetObjectCommand(input))`.

/** A path parameter: sent as exactly one encoded segment; otherwise a 400 with its message. */
export interface PathParam {
  /** The client-facing 400 message when the value cannot be one segment (e.g. "."). */
  invalidMessage: string;
}

/** What a client sees for one Admin Control status, e.g. 404 -> 404 "Room not found". */
export interface UpstreamErrorMapping {
  status: number;
  message: string;
}

/**
 * The read-through cache policy (src/cache/). TTLs are environment variables named here, next
 * to the endpoint; declaring the operation hands them to the cache's config slice.
 */
export type CachePolicy = CacheVariables;

/**
 * When a failed attempt may be tried once more (within the deadline and the retry budget):
 * - 'idempotent': a connection failure, or a 502/503/504 (GETs);
 * - 'unsent': only a connection failure before the request was sent (calls that change state).
 */
export type RetryPolicy = 'idempotent' | 'unsent';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/** The input of a call: path parameters by name (and whatever `body` reads). */
export type OperationInput = Readonly<Record<string, unknown>>;

export interface AdminOperationSpec<I extends OperationInput, T> {
  /** camelCase; labels metrics, logs and cache keys (never a room name). */
  name: string;
  method: HttpMethod;
  /** Below ADMIN_BACKEND_URL, with `:param` placeholders, e.g. `/sessions-status/:room_name`. */
  path: string;
  /** Every `:param` of the path, with its check; its value is read from the input. */
  params?: Readonly<Record<string, PathParam>>;
  /** The JSON request body, built from the input (sent as a string; see undici.adapter.ts). */
  body?: (input: I) => unknown;
  /**
   * `data` of Admin Control's `{"error":null,"data":...}` envelope, checked: the value to pass
   * on, or undefined when it is not the documented shape (a 502). `input` is the call's, for
   * answers that must match what was asked (e.g. the room they are about). It must accept its
   * own output (values shared through Redis are checked again, with the same input).
   */
  parse: (data: unknown, input: I) => T | undefined;
  /** Larger answers are a 502 (malformed), never buffered past this. Default 64 KiB. */
  maxResponseBytes?: number;
  /** Client-facing errors for Admin Control statuses; any other non-200 is a 502. */
  errors?: Readonly<Partial<Record<number, UpstreamErrorMapping>>>;
  /** Default: 'idempotent' for GET, 'unsent' for anything else. */
  retry?: RetryPolicy;
  /** Read through the cache (src/cache/); absent: never cached. */
  cache?: CachePolicy;
}

/** A declared operation, as the client runs it. */
export interface AdminOperation<
  I extends OperationInput = OperationInput,
  T = unknown,
> extends Readonly<Required<Omit<AdminOperationSpec<I, T>, 'body' | 'cache'>>> {
  readonly body?: (input: I) => unknown;
  readonly cache?: CachePolicy;
  /** The path split at its placeholders: literal parts and parameter names, alternating. */
  readonly parts: readonly string[];
}

/** Any declared operation, whatever its input and value. */
export type AnyAdminOperation = AdminOperation<never, unknown>;

export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

const registry = new Map<string, AnyAdminOperation>();

/**
 * Declares an operation and adds it to the registry that the simulator spec and the docs read
 * (and its cache variables to the cache's config slice). Call it at module level (once per
 * operation).
 */
export function defineAdminOperation<I extends OperationInput, T>(
  spec: AdminOperationSpec<I, T>,
): AdminOperation<I, T> {
  const parts = spec.path.split(/:([A-Za-z_][A-Za-z0-9_]*)/);
  const placeholders = parts.filter((_, i) => i % 2 === 1);
  const params = spec.params ?? {};
  const declared = Object.keys(params);
  if (!spec.path.startsWith('/') || spec.path.includes('?') || spec.path.includes('#')) {
    throw new Error(`Admin Control operation ${spec.name}: path must start with "/"`);
  }
  if (
    placeholders.length !== declared.length ||
    placeholders.some((name) => !declared.includes(name))
  ) {
    throw new Error(`Admin Control operation ${spec.name}: path and params do not match`);
  }
  if (registry.has(spec.name)) {
    throw new Error(`Admin Control operation ${spec.name} is declared twice`);
  }
  const operation: AdminOperation<I, T> = {
    ...spec,
    params,
    maxResponseBytes: spec.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    errors: spec.errors ?? {},
    retry: spec.retry ?? (spec.method === 'GET' ? 'idempotent' : 'unsent'),
    parts,
  };
  registry.set(spec.name, operation);
  if (spec.cache !== undefined) declareCacheVariables(spec.name, spec.cache);
  return operation;
}

/** Every declared operation (those of the modules imported so far). */
export function adminOperations(): readonly AnyAdminOperation[] {
  return [...registry.values()];
}

/**
 * `<basePath><path with each parameter as one encoded segment>`, or the parameter's 400.
 * "." and ".." survive encoding and URL normalisation turns them into traversal; whatever a
 * deployment's pattern allows, each parameter must name exactly one segment.
 */
export function operationPath(operation: AnyAdminOperation, input: OperationInput): string {
  const { parts } = operation;
  let path = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i];
    const value = input[name];
    const segment = typeof value === 'string' ? encodeURIComponent(value) : '';
    if (segment === '' || segment === '.' || segment === '..') {
      throw new AppException(400, operation.params[name].invalidMessage);
    }
    path += segment + parts[i + 1];
  }
  return path;
}

/**
 * What identifies an answer among the operation's answers: its parameters' values (in the
 * order of the path). Cheap on purpose: it runs on every cached request.
 */
export function cacheKeyOf(operation: AnyAdminOperation, input: OperationInput): string {
  const { parts } = operation;
  if (parts.length === 1) return '';
  if (parts.length === 3) return String(input[parts[1]]);
  const values: string[] = [];
  for (let i = 1; i < parts.length; i += 2)
    values.push(encodeURIComponent(String(input[parts[i]])));
  return values.join('/');
}
