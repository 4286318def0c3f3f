import { describe, expect, it } from 'vitest';
import { DOCUMENTED_BREAKER_DEFAULTS } from '../../test/support/config-defaults.js';
import type { Env } from './env.js';
import { readS3Config } from './s3.config.js';

const MIB = 1024 * 1024;

describe('readS3Config', () => {
  it('is disabled without S3_BUCKET, with the documented defaults', () => {
    expect(readS3Config({})).toStrictEqual({
      enabled: false,
      bucket: '',
      keyPrefix: '',
      region: 'us-east-1',
      endpoint: undefined,
      forcePathStyle: false,
      timeoutMs: 3000,
      summaryMaxBytes: MIB,
      summaryCacheMaxBytes: 32 * MIB,
      breaker: DOCUMENTED_BREAKER_DEFAULTS,
    });
  });

  it('reads AWS S3 settings', () => {
    const config = readS3Config({
      S3_BUCKET: 'proconf-summaries',
      S3_KEY_PREFIX: 'summaries/',
      S3_REGION: 'eu-west-1',
      S3_TIMEOUT_MS: '1500',
      SUMMARY_MAX_BYTES: '65536',
      SUMMARY_CACHE_MAX_BYTES: '0',
    });
    expect(config).toMatchObject({
      enabled: true,
      bucket: 'proconf-summaries',
      keyPrefix: 'summaries/',
      region: 'eu-west-1',
      endpoint: undefined,
      forcePathStyle: false,
      timeoutMs: 1500,
      summaryMaxBytes: 65536,
      summaryCacheMaxBytes: 0,
    });
  });

  it('takes AWS_REGION when S3_REGION is not set, and S3_REGION over it', () => {
    expect(readS3Config({ S3_BUCKET: 'b-1', AWS_REGION: 'ap-south-1' }).region).toBe('ap-south-1');
    expect(
      readS3Config({ S3_BUCKET: 'b-1', AWS_REGION: 'ap-south-1', S3_REGION: 'us-west-2' }).region,
    ).toBe('us-west-2');
  });

  it('reads a MinIO-style endpoint; the region then defaults to us-east-1', () => {
    const config = readS3Config({
      S3_BUCKET: 'summaries',
      S3_ENDPOINT: 'http://minio.internal:9000',
      S3_FORCE_PATH_STYLE: 'true',
    });
    expect(config).toMatchObject({
      enabled: true,
      endpoint: 'http://minio.internal:9000/',
      forcePathStyle: true,
      region: 'us-east-1',
    });
  });

  it.each<[string, Env, string]>([
    [
      'without a region for AWS',
      { S3_BUCKET: 'b-1' },
      'S3_REGION is required with S3_BUCKET (or set AWS_REGION)',
    ],
    ['with a bad bucket name', { S3_BUCKET: 'a/b', S3_REGION: 'eu-west-1' }, 'S3_BUCKET is not'],
    ['with a bad region', { S3_BUCKET: 'b-1', S3_REGION: 'EU West' }, 'S3_REGION is not a region'],
    [
      'with a bad AWS_REGION',
      { S3_BUCKET: 'b-1', AWS_REGION: 'eu_west_1' },
      'AWS_REGION is not a region',
    ],
    [
      'with an endpoint without a scheme',
      { S3_BUCKET: 'b-1', S3_ENDPOINT: 'minio:9000' },
      'S3_ENDPOINT has no scheme: add http:// or https:// (got "minio:9000")',
    ],
    [
      'with an endpoint of another scheme',
      { S3_BUCKET: 'b-1', S3_ENDPOINT: 'ftp://minio:9000' },
      'S3_ENDPOINT must use http or https',
    ],
    [
      'with credentials in the endpoint',
      { S3_BUCKET: 'b-1', S3_ENDPOINT: 'http://key:secret@minio:9000' },
      'S3_ENDPOINT must not contain credentials',
    ],
    [
      'with a query string in the endpoint',
      { S3_BUCKET: 'b-1', S3_ENDPOINT: 'http://minio:9000/?x=1' },
      'S3_ENDPOINT must not contain a query string or fragment',
    ],
    [
      'with a prefix starting with "/"',
      { S3_BUCKET: 'b-1', S3_REGION: 'eu-west-1', S3_KEY_PREFIX: '/summaries/' },
      'S3_KEY_PREFIX is not a valid key prefix: starts with "/"',
    ],
    [
      'with a prefix holding ".."',
      { S3_BUCKET: 'b-1', S3_REGION: 'eu-west-1', S3_KEY_PREFIX: 'a/../' },
      'S3_KEY_PREFIX is not a valid key prefix: has a "." or ".." segment',
    ],
    [
      'with an endpoint but no bucket',
      { S3_ENDPOINT: 'http://minio:9000' },
      'S3_ENDPOINT is set but S3_BUCKET is not',
    ],
    [
      'with a prefix but no bucket',
      { S3_KEY_PREFIX: 'summaries/' },
      'S3_KEY_PREFIX is set but S3_BUCKET is not',
    ],
    [
      'with a timeout of 0',
      { S3_BUCKET: 'b-1', S3_REGION: 'eu-west-1', S3_TIMEOUT_MS: '0' },
      'S3_TIMEOUT_MS must be an integer from 1 to 120000',
    ],
    [
      'with a summary limit of 0',
      { S3_BUCKET: 'b-1', S3_REGION: 'eu-west-1', SUMMARY_MAX_BYTES: '0' },
      'SUMMARY_MAX_BYTES must be an integer from 1',
    ],
    [
      'with a negative cache size',
      { S3_BUCKET: 'b-1', S3_REGION: 'eu-west-1', SUMMARY_CACHE_MAX_BYTES: '-1' },
      'SUMMARY_CACHE_MAX_BYTES must be an integer from 0',
    ],
    [
      'with a path-style flag that is not a boolean',
      { S3_BUCKET: 'b-1', S3_REGION: 'eu-west-1', S3_FORCE_PATH_STYLE: 'maybe' },
      'S3_FORCE_PATH_STYLE must be true or false',
    ],
  ])('refuses to boot %s', (_name, env, message) => {
    expect(() => readS3Config(env)).toThrow(message);
  });

  it('reports every problem of the slice at once', () => {
    expect(() =>
      readS3Config({ S3_BUCKET: 'a/b', S3_TIMEOUT_MS: 'soon', S3_KEY_PREFIX: '/x' }),
    ).toThrow(
      /^Invalid configuration \(s3\): S3_BUCKET is not a bucket name[^;]*; S3_KEY_PREFIX [^;]*; S3_REGION is required[^;]*; S3_TIMEOUT_MS must be/,
    );
  });
});
