import { parsePasswordHash, type PasswordHash } from './password-hash.js';

export interface UsersFileProblem {
  /** 1-based line number. */
  line: number;
  reason: string;
}

export interface ParsedUsersFile {
  users: Map<string, PasswordHash>;
  problems: UsersFileProblem[];
}

// Control characters never belong in a user name (and would forge log lines if echoed).
const CONTROL = /\p{Cc}/u;

/**
 * Parses a users file: `username:hash` lines as htpasswd writes them, `#` comments and blank
 * lines. A line that cannot be used is reported by number (never by content: it holds a hash)
 * and skipped; a user listed twice keeps the first line, as Apache does.
 */
export function parseUsersFile(text: string): ParsedUsersFile {
  const users = new Map<string, PasswordHash>();
  const problems: UsersFileProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const problem = (reason: string) => problems.push({ line: index + 1, reason });
    const colon = line.indexOf(':');
    if (colon <= 0) return problem('not "username:hash"');
    const username = line.slice(0, colon);
    if (CONTROL.test(username) || username !== username.trim()) {
      return problem('the user name has spaces around it or control characters');
    }
    if (users.has(username)) return problem('a second line for a user listed above');
    const hash = parsePasswordHash(line.slice(colon + 1));
    if (typeof hash === 'string') return problem(hash);
    users.set(username, hash);
  });
  return { users, problems };
}
