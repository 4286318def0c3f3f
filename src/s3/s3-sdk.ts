import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';
import type { S3Config } from '../config/s3.config.js';

/** The AWS SDK calls S3ObjectClient makes. */
export interface S3Sdk {
  getObject(bucket: string, key: string, signal: AbortSignal): Promise<GetObjectCommandOutput>;
  destroy(): void;
}

/** Injection token of the S3Sdk, or of null when S3 is not configured. */
export const S3_SDK = Symbol('S3_SDK');

/**
 * The SDK's S3 client for `config`, or null without S3_BUCKET. The SDK is imported here only,
 * at boot and only when S3 is configured: it adds ~4 MB of heap to every process that loads it.
 */
export async function createS3Sdk(config: S3Config): Promise<S3Sdk | null> {
  if (!config.enabled) return null;
  const { GetObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: Math.min(config.timeoutMs, 10_000) },
  });
  return {
    getObject: (Bucket, Key, abortSignal) =>
      client.send(new GetObjectCommand({ Bucket, Key }), { abortSignal }),
    destroy: () => client.destroy(),
  };
}
