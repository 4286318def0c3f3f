import { afterAll, beforeAll } from 'vitest';
import { startTestS3, useS3Credentials, type TestS3 } from './s3-server.js';

// The summaries the S3 specs read: one seeding, below the key prefix the apps are given.
export const SUMMARY_KEY_PREFIX = 'summaries/';
export const SUMMARY_MAX_BYTES = 1024;
export const SUMMARY = 'Meeting Summary content';
export const UNICODE = 'Résumé: décisions ✓, 会议纪要, 😀\n"quoted" and \\ backslash';
export const PNG_HEADER = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff,
]);
// "caf" and the first byte of a two-byte sequence: valid up to the cut.
export const TRUNCATED_UTF8 = new Uint8Array([0x63, 0x61, 0x66, 0xc3]);

/**
 * Puts the summaries, each `<name>/summary.txt` below the prefix: r1_1718871014 (SUMMARY),
 * unicode_1, exact_1 (SUMMARY_MAX_BYTES), large_1 (one byte more), huge_1 (4 MiB), empty_1,
 * png_1, truncated_1; and r1_1718871014 again outside the prefix, with other text.
 */
export async function putSummaries(s3: TestS3): Promise<void> {
  const put = (name: string, body: string | Uint8Array) =>
    s3.put(`${SUMMARY_KEY_PREFIX}${name}/summary.txt`, body);
  await put('r1_1718871014', SUMMARY);
  await s3.put('r1_1718871014/summary.txt', 'outside the prefix');
  await put('unicode_1', UNICODE);
  await put('exact_1', 'x'.repeat(SUMMARY_MAX_BYTES));
  await put('large_1', 'x'.repeat(SUMMARY_MAX_BYTES + 1));
  await put('huge_1', 'y'.repeat(4 * 1024 * 1024));
  await put('empty_1', '');
  await put('png_1', PNG_HEADER);
  await put('truncated_1', TRUNCATED_UTF8);
}

/**
 * The S3 of a spec file about summaries: started, seeded (putSummaries) and its credentials put
 * where the SDK looks before the file's tests, closed and the environment restored after. The
 * object it returns stands for the running one (its members are read when a test uses them).
 */
export function useSummaryS3(): TestS3 {
  let s3: TestS3 | undefined;
  let restoreCredentials = (): void => undefined;
  beforeAll(async () => {
    s3 = await startTestS3();
    await putSummaries(s3);
    restoreCredentials = useS3Credentials();
  });
  afterAll(async () => {
    restoreCredentials();
    await s3?.close();
  });
  const running = (): TestS3 => {
    if (s3 === undefined) throw new Error('the test S3 starts in beforeAll');
    return s3;
  };
  return {
    get server() {
      return running().server;
    },
    get proxy() {
      return running().proxy;
    },
    env: (overrides) => running().env(overrides),
    put: (key, body, bucket) => running().put(key, body, bucket),
    close: () => running().close(),
  };
}
