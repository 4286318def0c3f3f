import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  S3_ACCESS_KEY_ID,
  S3_REGION,
  S3_SECRET_ACCESS_KEY,
  startS3Server,
  type S3Server,
} from '../../tools/s3-server.mjs';
import { FaultProxy } from './fault-proxy.js';
import { setEnv } from './test-app.js';

export const SUMMARY_BUCKET = 'proconf-summaries';

export interface TestS3 {
  /** The S3-compatible server (stop/start it for "S3 down"). */
  server: S3Server;
  /** The proxy the app talks to: faults, request counts. */
  proxy: FaultProxy;
  /** The app's S3 settings pointing at the proxy; `overrides` win. */
  env(overrides?: Record<string, string>): Record<string, string>;
  put(key: string, body: string | Uint8Array, bucket?: string): Promise<void>;
  close(): Promise<void>;
}

/** A real S3-compatible server with the summary bucket, behind a FaultProxy, on 127.0.0.1. */
export async function startTestS3(): Promise<TestS3> {
  const server = await startS3Server({ buckets: [SUMMARY_BUCKET] });
  await warmCredentialChain(server.endpoint);
  const proxy = await FaultProxy.start(server.port);
  return {
    server,
    proxy,
    env: (overrides = {}) => ({
      S3_BUCKET: SUMMARY_BUCKET,
      S3_ENDPOINT: proxy.url,
      S3_FORCE_PATH_STYLE: 'true',
      S3_REGION,
      ...overrides,
    }),
    put: (key, body, bucket = SUMMARY_BUCKET) => server.putObject(bucket, key, body),
    close: async () => {
      await proxy.close();
      await server.close();
    },
  };
}

/**
 * Puts S3 credentials where the SDK's standard chain finds them (the environment) and returns
 * the function that restores it; `null` leaves the chain with none. The SDK reads them on
 * an app's first S3 call and keeps them, so an app meant to use other credentials must make its
 * first call while those are set. The chain never asks an instance metadata service here (that
 * would be a network call off this machine), and reads no shared files of the user running it.
 */
export function useS3Credentials(
  credentials: { accessKeyId: string; secretAccessKey: string } | null = {
    accessKeyId: S3_ACCESS_KEY_ID,
    secretAccessKey: S3_SECRET_ACCESS_KEY,
  },
): () => void {
  return setEnv({
    AWS_ACCESS_KEY_ID: credentials?.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials?.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/proconf-test/credentials',
    AWS_CONFIG_FILE: '/nonexistent/proconf-test/config',
  });
}

/**
 * One GetObject through the SDK's default credential chain, as the app reads: the chain's
 * modules load on their first use (about 200 ms here, more on a loaded machine), which would
 * otherwise count against the first read of a test's short S3_TIMEOUT_MS.
 */
async function warmCredentialChain(endpoint: string): Promise<void> {
  const restore = useS3Credentials();
  const client = new S3Client({ region: S3_REGION, endpoint, forcePathStyle: true });
  try {
    await client.send(new GetObjectCommand({ Bucket: SUMMARY_BUCKET, Key: 'warm-up' }));
  } catch {
    // NoSuchKey: the point was the chain, not the object
  } finally {
    client.destroy();
    restore();
  }
}
