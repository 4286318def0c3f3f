export const MAX_OBJECT_KEY_BYTES = 1024;

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// C0 controls, DEL and C1 controls: invisible in logs and consoles, never in a file name we made.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// A lone surrogate cannot be encoded as UTF-8, so it cannot name an S3 object.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why `key` is not a relative object key, or undefined when it is one. Admin Control's
 * `file_url` (e.g. "r1_1718871014/summary.txt") is appended to S3_KEY_PREFIX, so it must stay
 * below the prefix: no scheme, no leading "/", no "." or ".." segment, no empty segment, no
 * backslash or control character, at most 1024 bytes. The reason goes to the log only.
 */
export function checkObjectKey(key: string): string | undefined {
  if (key === '') return 'is empty';
  if (Buffer.byteLength(key, 'utf8') > MAX_OBJECT_KEY_BYTES) {
    return `is longer than ${MAX_OBJECT_KEY_BYTES} bytes`;
  }
  if (LONE_SURROGATE.test(key)) return 'is not valid Unicode';
  if (CONTROL.test(key)) return 'has a control character';
  if (key.includes('\\')) return 'has a backslash';
  if (SCHEME.test(key)) return 'has a URL scheme';
  if (key.startsWith('/')) return 'starts with "/"';
  for (const segment of key.split('/')) {
    if (segment === '.' || segment === '..') return 'has a "." or ".." segment';
    if (segment === '') return 'has an empty segment';
  }
  return undefined;
}

export function isRelativeObjectKey(key: unknown): key is string {
  return typeof key === 'string' && checkObjectKey(key) === undefined;
}
