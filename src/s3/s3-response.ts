import { addAbortSignal, Readable } from 'node:stream';
import type { S3Outcome } from './s3.types.js';

// How S3ObjectClient reads a GetObject body within a limit and names SDK errors.

/** A failure found in a response S3 gave (too large, not UTF-8), with S3's request id. */
export class ObjectError extends Error {
  constructor(
    message: string,
    readonly s3RequestId: string | undefined,
  ) {
    super(message);
  }
}

/** The body's bytes, or undefined as soon as it has more than `maxBytes` (reading stops). */
export async function readAtMost(
  body: AsyncIterable<Uint8Array> | undefined,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer | undefined> {
  if (body === undefined) return Buffer.alloc(0);
  // The deadline covers the body too: a stalled stream is destroyed when it passes.
  if (body instanceof Readable) addAbortSignal(signal, body);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      destroyBody(body);
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

export function destroyBody(body: unknown): void {
  (body as { destroy?: () => void } | undefined)?.destroy?.();
}

interface SdkError {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
}

/** Maps an SDK error to an outcome: by S3's error code first, then by HTTP status. */
export function classify(error: unknown): S3Outcome {
  const { name, $metadata } = (error ?? {}) as SdkError;
  if (name === 'NoSuchKey') return 'not_found';
  if (name === 'NoSuchBucket') return 'no_bucket';
  // No credentials anywhere in the chain: nothing was sent, and S3 would refuse it anyway.
  if (name === 'CredentialsProviderError') return 'rejected';
  const status = $metadata?.httpStatusCode;
  if (status === undefined) return 'connection';
  if (status === 401 || status === 403) return 'rejected';
  if (status >= 500) return 'server_error';
  // 404 without NoSuchKey (a wrong endpoint), 400, 3xx (a wrong region's redirect)...
  return 'client_error';
}

/** The reason for the log: S3's error code and message, and its request ids. */
export function describeFailure(error: unknown): string {
  if (error instanceof ObjectError) {
    return `${error.message}; S3 request id ${error.s3RequestId ?? '-'}`;
  }
  const { name, message, $metadata } = (error ?? {}) as SdkError;
  const ids = $metadata?.requestId
    ? `; S3 request id ${$metadata.requestId}${$metadata.extendedRequestId ? ` / ${$metadata.extendedRequestId}` : ''}`
    : '';
  const status = $metadata?.httpStatusCode ? ` HTTP ${$metadata.httpStatusCode}` : '';
  return `${name ?? 'Error'}${status}: ${message ?? String(error)}${ids}`;
}
