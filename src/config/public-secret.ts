// A signing secret anyone could know lets anyone mint tokens. In production the boot refuses
// the secrets this repository publishes and the kinds people type instead of generating one.

/** Secrets written in this repository: the demo's (tools/token.mjs) and the e2e suite's. */
export const PUBLISHED_SECRETS: readonly string[] = [
  'proconf-demo-secret-change-me-0123456789abcdef',
  'e2e-test-secret-0123456789-0123456789-abcdef',
];

// What people write where a secret belongs ("change-me", "your-secret-here", "example"...).
const PLACEHOLDER =
  /chang(e|ing)[\W_]*(me|it|this)|replace[\W_]*(me|it|this)|placeholder|example|your[\W_]*(jwt[\W_]*)?secret|not[\W_]*(a[\W_]*)?secret|insecure/i;
// Random secrets (base64 or hex) have far more distinct characters than this, and an ascending
// or descending run this long in one is about as likely as guessing it.
const MIN_DISTINCT_CHARACTERS = 8;
const MAX_RUN = 7;

export const GENERATE_SECRET_HINT = 'generate one with `openssl rand -base64 48`';

/** Why `secret` must not sign tokens in production, or undefined when nothing is known against it. */
export function publicSecretProblem(secret: string): string | undefined {
  if (PUBLISHED_SECRETS.includes(secret)) {
    return 'is a secret published with this project (demo or tests): anyone can mint tokens with it';
  }
  if (PLACEHOLDER.test(secret)) return 'looks like a placeholder, not a secret';
  if (new Set(secret).size < MIN_DISTINCT_CHARACTERS) {
    return `has fewer than ${MIN_DISTINCT_CHARACTERS} different characters`;
  }
  if (longestRun(secret) > MAX_RUN) return 'contains a sequence such as "01234567" or "abcdefgh"';
  return undefined;
}

/** The longest stretch of characters whose codes go up (or down) by one at each step. */
function longestRun(text: string): number {
  let longest = 1;
  let run = 1;
  let step = 0;
  for (let i = 1; i < text.length; i++) {
    const delta = text.charCodeAt(i) - text.charCodeAt(i - 1);
    if ((delta === 1 || delta === -1) && (run === 1 || delta === step)) {
      run++;
      step = delta;
    } else if (delta === 1 || delta === -1) {
      run = 2;
      step = delta;
    } else {
      run = 1;
    }
    longest = Math.max(longest, run);
  }
  return longest;
}
