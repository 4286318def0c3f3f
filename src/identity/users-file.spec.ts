import { describe, expect, it } from 'vitest';
import { parseUsersFile } from './users-file.js';

const BCRYPT = '$2y$05$mCJ.mQc/3e75DyGOM32Eeu28zWs/wF152XyXaxeQpLj4wXvfzCis6';
const SCRYPT =
  '$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

describe('parseUsersFile', () => {
  it('reads username:hash lines, skipping comments, blank lines and CRLF endings', () => {
    const { users, problems } = parseUsersFile(
      `# ProCONF users\r\nalice:${BCRYPT}\r\n\r\n   \n  bob:${SCRYPT}  \n# carol:${BCRYPT}\n`,
    );
    expect([...users.keys()]).toEqual(['alice', 'bob']);
    expect(users.get('alice')).toMatchObject({ scheme: 'bcrypt', cost: 5 });
    expect(users.get('bob')).toMatchObject({ scheme: 'scrypt', ln: 10, r: 8, p: 1 });
    expect(problems).toEqual([]);
  });

  it('reports each unusable line by number and reason, without its content', () => {
    const text = [
      `alice:${BCRYPT}`,
      'no colon here',
      `:${BCRYPT}`,
      `alice:${SCRYPT}`,
      'dave:$apr1$abc$def',
      `erin :${BCRYPT}`,
      `fr\u0007ank:${BCRYPT}`,
      'gina:$2y$05$short',
      `hank:${SCRYPT}`,
    ].join('\n');
    const { users, problems } = parseUsersFile(text);
    expect([...users.keys()]).toEqual(['alice', 'hank']);
    expect(problems).toEqual([
      { line: 2, reason: 'not "username:hash"' },
      { line: 3, reason: 'not "username:hash"' },
      { line: 4, reason: 'a second line for a user listed above' },
      { line: 5, reason: 'unsupported hash (use bcrypt, as htpasswd -B writes it, or scrypt)' },
      { line: 6, reason: 'the user name has spaces around it or control characters' },
      { line: 7, reason: 'the user name has spaces around it or control characters' },
      { line: 8, reason: 'not a well-formed bcrypt hash' },
    ]);
    expect(JSON.stringify(problems)).not.toContain('mCJ');
  });

  it('keeps names with other characters exactly (case-sensitive)', () => {
    const { users } = parseUsersFile(`Alice:${BCRYPT}\nalice@example.com:${BCRYPT}\nzoë:${BCRYPT}`);
    expect([...users.keys()]).toEqual(['Alice', 'alice@example.com', 'zoë']);
  });
});
