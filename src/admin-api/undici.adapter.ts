import {
  AxiosError,
  type AxiosAdapter,
  type AxiosInstance,
  type AxiosResponse,
  type GenericAbortSignal,
  type InternalAxiosRequestConfig,
} from 'axios';
import { Agent, type Dispatcher } from 'undici';

export interface ClosableAdapter extends AxiosAdapter {
  /** Closes the pooled connections (graceful: in-flight requests finish first). */
  close(): Promise<void>;
}

export interface UndiciAdapterOptions {
  /** Pooled keep-alive connections per origin. */
  connections: number;
  /**
   * Larger bodies fail the request (AxiosError ERR_BAD_RESPONSE) without being buffered. A call
   * may set a lower limit of its own with axios' `maxContentLength`.
   */
  maxResponseBytes: number;
  connectTimeoutMs: number;
}

type Method = Dispatcher.HttpMethod;

const RESPONSE_TOO_LARGE = 'RESPONSE_TOO_LARGE';

/**
 * An axios adapter on an undici connection pool. Same axios API for the rest of the code (the
 * HttpModule's instance, config, transformRequest/transformResponse, validateStatus), at a
 * fraction of the CPU per call of axios' node:http adapter (docs/performance.md).
 *
 * It uses undici's low-level `dispatch()`: the body is collected as it arrives, with no stream
 * or extra promise per call. Request bodies may be strings or bytes (axios' default
 * transformRequest turns objects into JSON strings); the response body is handed to axios as
 * text, for its transformResponse (JSON by default) to parse.
 */
export function createUndiciAdapter(options: UndiciAdapterOptions): ClosableAdapter {
  const dispatcher = new Agent({
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    maxResponseSize: options.maxResponseBytes,
    connect: { timeout: options.connectTimeoutMs },
  });

  const adapter = (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    const url = new URL(config.url ?? '', config.baseURL);
    return new Promise<AxiosResponse>((resolve, reject) => {
      const handler = new TextResponseHandler(config, resolve, reject);
      if (handler.settled) return;
      try {
        const body = requestBody(config);
        dispatcher.dispatch(
          {
            origin: url.origin,
            path: url.pathname + url.search,
            method: (config.method ?? 'get').toUpperCase() as Method,
            headers: config.headers.toJSON(true) as Record<string, string>,
            body,
          },
          handler,
        );
      } catch (error) {
        handler.fail(error);
      }
    });
  };
  return Object.assign(adapter, { close: () => dispatcher.close() });
}

function requestBody(config: InternalAxiosRequestConfig): string | Uint8Array | undefined {
  const { data } = config;
  if (data === undefined || data === null) return undefined;
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  throw new AxiosError(
    'request body must be a string or bytes',
    AxiosError.ERR_BAD_REQUEST,
    config,
  );
}

/**
 * Collects one response. Settles exactly once: on the end of the body, on an error, or as soon
 * as the request's signal aborts (whether or not undici has started the request yet).
 */
class TextResponseHandler implements Dispatcher.DispatchHandler {
  settled = false;
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private readonly limit: number;
  private controller: Dispatcher.DispatchController | undefined;
  private readonly signal: GenericAbortSignal | undefined;

  constructor(
    private readonly config: InternalAxiosRequestConfig,
    private readonly resolve: (response: AxiosResponse) => void,
    private readonly reject: (error: AxiosError) => void,
  ) {
    this.signal = config.signal;
    const limit = config.maxContentLength;
    this.limit = typeof limit === 'number' && limit >= 0 ? limit : Infinity;
    if (this.signal?.aborted) this.onAbort();
    else this.signal?.addEventListener?.('abort', this.onAbort);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.settled) controller.abort(new Error('canceled'));
    else this.controller = controller;
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // Called again after a 1xx informational response: the last one is the response.
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.received += chunk.length;
    if (this.received > this.limit) {
      // Stop reading at once: the rest of an oversized body is never buffered.
      this.fail(Object.assign(new Error('response too large'), { code: RESPONSE_TOO_LARGE }));
      controller.abort(new Error('response too large'));
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settle()) return;
    const { config, status } = this;
    const chunks = this.chunks;
    const data = chunks.length === 1 ? chunks[0].toString() : Buffer.concat(chunks).toString();
    const response: AxiosResponse = {
      data,
      status,
      statusText: '',
      headers: this.headers,
      config,
      request: null,
    };
    if (config.validateStatus && !config.validateStatus(status)) {
      this.reject(
        new AxiosError(
          `Request failed with status code ${status}`,
          status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST,
          config,
          null,
          response,
        ),
      );
      return;
    }
    this.resolve(response);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  fail(error: unknown): void {
    if (!this.settle()) this.reject(toAxiosError(error, this.config));
  }

  private readonly onAbort = (): void => {
    if (this.settle()) return;
    this.controller?.abort(new Error('canceled'));
    this.reject(new AxiosError('canceled', AxiosError.ERR_CANCELED, this.config));
  };

  /** Marks the call settled; true if it already was. */
  private settle(): boolean {
    if (this.settled) return true;
    this.settled = true;
    this.signal?.removeEventListener?.('abort', this.onAbort);
    return false;
  }
}

function toAxiosError(error: unknown, config: InternalAxiosRequestConfig): AxiosError {
  if (error instanceof AxiosError) return error;
  const cause = error as { code?: string; message?: string };
  if (cause.code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE' || cause.code === RESPONSE_TOO_LARGE) {
    return new AxiosError(
      cause.message ?? 'response too large',
      AxiosError.ERR_BAD_RESPONSE,
      config,
    );
  }
  const wrapped = new AxiosError(cause.message ?? 'request failed', cause.code, config);
  wrapped.cause = error as Error;
  return wrapped;
}

/**
 * Drops the axios defaults that only axios' own adapters or browsers read, from an instance
 * that uses this adapter. axios merges its instance defaults into the config of every call;
 * on this instance that merge was the largest part of axios' cost per call
 * (docs/performance.md). What stays: the adapter, transforms, validateStatus, responseType.
 */
export function leanAxiosDefaults(instance: AxiosInstance): void {
  const defaults = instance.defaults as unknown as Record<string, unknown>;
  // Per-method default headers (Accept, Content-Type for bodies): every call sets its own.
  defaults.headers = {};
  // Read by axios' node:http and fetch adapters only (this adapter has its own limits), or by
  // browsers (XSRF), or for FormData bodies, which are not sent.
  for (const key of [
    'timeout',
    'maxContentLength',
    'maxBodyLength',
    'transitional',
    'xsrfCookieName',
    'xsrfHeaderName',
    'env',
  ]) {
    delete defaults[key];
  }
}
