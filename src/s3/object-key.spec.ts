import { describe, expect, it } from 'vitest';
import { checkObjectKey, isRelativeObjectKey, MAX_OBJECT_KEY_BYTES } from './object-key.js';

describe(checkObjectKey.name, () => {
  it.each([
    'r1_1718871014/summary.txt',
    'summary.txt',
    'a/b/c/d.txt',
    'demo-room_1718871014/summary.txt',
    'room.with.dots_1/summary.txt',
    '...three-dots/summary.txt',
    '..hidden/x',
    'x/.profile',
    'réunion_1718871014/résumé.txt',
    '会议_1718871014/summary.txt',
    'emoji_😀/summary.txt',
    'space in name/summary.txt',
    'percent%2e%2e/summary.txt',
    'query?x=1#frag',
    'a/b:c/summary.txt',
    'x'.repeat(MAX_OBJECT_KEY_BYTES),
    'é'.repeat(MAX_OBJECT_KEY_BYTES / 2),
  ])('accepts %s', (key) => {
    expect(checkObjectKey(key)).toBeUndefined();
    expect(isRelativeObjectKey(key)).toBe(true);
  });

  it.each<[string, string, string]>([
    ['empty', '', 'is empty'],
    ['1025 bytes', 'x'.repeat(MAX_OBJECT_KEY_BYTES + 1), 'is longer than 1024 bytes'],
    ['1026 bytes in 513 characters', 'é'.repeat(513), 'is longer than 1024 bytes'],
    ['an https URL', 'https://evil.example/summary.txt', 'has a URL scheme'],
    ['an s3 URL', 's3://other-bucket/summary.txt', 'has a URL scheme'],
    ['a file URL', 'file:///etc/passwd', 'has a URL scheme'],
    ['a scheme without slashes', 'data:text/plain,hi', 'has a URL scheme'],
    // Never produced by Admin Control (room names have no ":"), and a URL parser would see a scheme.
    ['a colon in the first segment', 'r1:2024/summary.txt', 'has a URL scheme'],
    ['a leading slash', '/r1_1718871014/summary.txt', 'starts with "/"'],
    ['a protocol-relative URL', '//evil.example/summary.txt', 'starts with "/"'],
    ['a leading ..', '../secret/summary.txt', 'has a "." or ".." segment'],
    ['a middle ..', 'r1/../../secret.txt', 'has a "." or ".." segment'],
    ['a trailing ..', 'r1/..', 'has a "." or ".." segment'],
    ['only ..', '..', 'has a "." or ".." segment'],
    ['a . segment', 'r1/./summary.txt', 'has a "." or ".." segment'],
    ['only .', '.', 'has a "." or ".." segment'],
    ['an empty segment', 'r1//summary.txt', 'has an empty segment'],
    ['a trailing slash', 'r1_1718871014/', 'has an empty segment'],
    ['a backslash', 'r1\\summary.txt', 'has a backslash'],
    ['a backslash traversal', '..\\secret.txt', 'has a backslash'],
    ['a NUL', 'r1/summary.txt\u0000.pdf', 'has a control character'],
    ['a newline', 'r1/summary.txt\nX-Injected: 1', 'has a control character'],
    ['a carriage return', 'r1/sum\rmary.txt', 'has a control character'],
    ['a tab', 'r1/\tsummary.txt', 'has a control character'],
    ['DEL', 'r1/summary\u007f.txt', 'has a control character'],
    ['a C1 control', 'r1/summary\u0085.txt', 'has a control character'],
    ['a lone high surrogate', 'r1/\uD83D.txt', 'is not valid Unicode'],
    ['a lone low surrogate', 'r1/\uDE00.txt', 'is not valid Unicode'],
  ])('refuses %s', (_name, key, problem) => {
    expect(checkObjectKey(key)).toBe(problem);
    expect(isRelativeObjectKey(key)).toBe(false);
  });

  it.each([undefined, null, 42, {}, ['r1/summary.txt']])('is false for a non-string (%s)', (v) => {
    expect(isRelativeObjectKey(v)).toBe(false);
  });
});
