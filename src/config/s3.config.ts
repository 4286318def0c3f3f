import { registerAs } from '@nestjs/config';
import { checkObjectKey } from '../s3/object-key.js';
import { BREAKER_DEFAULTS } from './admin.config.js';
import { EnvReader, type Env } from './env.js';

const MIB = 1024 * 1024;
// Lenient on purpose: older buckets and S3-compatible stores allow more than today's AWS rules.
const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/;
const REGION = /^[a-z0-9][a-z0-9-]{0,62}$/;
// Custom endpoints (MinIO and others) ignore the region, but SigV4 signs one.
const ENDPOINT_DEFAULT_REGION = 'us-east-1';

function parseKeyPrefix(env: EnvReader): string {
  const prefix = env.string('S3_KEY_PREFIX', '');
  // The prefix plus a key must still be a relative key: no leading "/", no "." or ".." segment.
  const problem = prefix === '' ? undefined : checkObjectKey(`${prefix}x`);
  if (problem !== undefined) env.fail('S3_KEY_PREFIX', `is not a valid key prefix: ${problem}`);
  return prefix;
}

/** Reads and validates the S3 variables; exported for its unit spec. */
export function readS3Config(source: Env = process.env) {
  const env = new EnvReader('s3', source);
  const bucket = env.raw('S3_BUCKET');
  if (bucket !== undefined && !BUCKET_NAME.test(bucket)) {
    env.fail('S3_BUCKET', `is not a bucket name (got "${bucket}")`);
  }
  const endpoint = env.serviceUrl('S3_ENDPOINT', 'the AWS credential chain')?.href;
  const keyPrefix = parseKeyPrefix(env);
  let region = env.raw('S3_REGION') ?? env.raw('AWS_REGION');
  if (region !== undefined && !REGION.test(region)) {
    env.fail(
      env.raw('S3_REGION') ? 'S3_REGION' : 'AWS_REGION',
      `is not a region (got "${region}")`,
    );
  }
  if (bucket === undefined) {
    // Without a bucket summaries are off; S3 settings without one are most likely a typo.
    for (const name of ['S3_ENDPOINT', 'S3_KEY_PREFIX', 'S3_REGION']) {
      if (env.raw(name) !== undefined) env.fail(name, 'is set but S3_BUCKET is not');
    }
  } else if (region === undefined) {
    if (endpoint === undefined) {
      env.fail('S3_REGION', 'is required with S3_BUCKET (or set AWS_REGION)');
    }
    region = ENDPOINT_DEFAULT_REGION;
  }
  return env.done({
    /** False when S3_BUCKET is unset: summaries answer 503, readiness reports "disabled". */
    enabled: bucket !== undefined,
    bucket: bucket ?? '',
    keyPrefix,
    region: region ?? ENDPOINT_DEFAULT_REGION,
    endpoint,
    forcePathStyle: env.bool('S3_FORCE_PATH_STYLE', false),
    timeoutMs: env.int('S3_TIMEOUT_MS', { default: 3000, min: 1, max: 120_000 }),
    summaryMaxBytes: env.int('SUMMARY_MAX_BYTES', { default: MIB, min: 1, max: 64 * MIB }),
    summaryCacheMaxBytes: env.int('SUMMARY_CACHE_MAX_BYTES', {
      default: 32 * MIB,
      min: 0,
      max: 4096 * MIB,
    }),
    // Admin Control's default thresholds. Not configurable: one set of numbers operators already
    // know; tests build the client with their own.
    breaker: { ...BREAKER_DEFAULTS },
  });
}

export const s3Config = registerAs('s3', () => readS3Config());

export type S3Config = ReturnType<typeof s3Config>;
