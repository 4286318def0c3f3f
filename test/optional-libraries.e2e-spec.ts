import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { startTestApp } from './support/test-app.js';

// The AWS SDK (~4 MB of heap) is imported only when S3 is configured (src/s3/s3-sdk.ts). It
// resolves to CommonJS, so once anything imported it, its files are in Node's require cache.
// This file must import nothing that imports the SDK itself (test/support/s3-server.ts does):
// each test file runs in its own process, so the cache starts without it.
const SDK_FILES = '/node_modules/@aws-sdk/client-s3/';
const sdkLoaded = () =>
  Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes(SDK_FILES));

describe('optional libraries', () => {
  it('never loads the AWS SDK when S3 is not configured', async () => {
    const t = await startTestApp();
    try {
      const res = await t.get('/callSummary/demo-room');
      expect(res.statusCode).toBe(503);
      expect(res.body).toBe('{"data":null,"error":{"code":503,"message":"Service unavailable"}}');
      const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.json().data.checks.s3).toBe('disabled');
      expect(sdkLoaded()).toBe(false);
    } finally {
      await t.close();
    }
  });

  // The check above can fail: the same boot with S3 settings loads the SDK (no S3 is called).
  it('loads the AWS SDK at boot when S3 is configured', async () => {
    const t = await startTestApp({
      S3_BUCKET: 'proconf-summaries',
      S3_ENDPOINT: 'http://127.0.0.1:9',
    });
    try {
      expect(sdkLoaded()).toBe(true);
    } finally {
      await t.close();
    }
  });
});
