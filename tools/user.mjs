// The users file of POST /auth/login (AUTH_USERS_FILE): adds a user with an scrypt hash.
// Usage: npm run user -- add <name> [--file <path>]   (default file: $AUTH_USERS_FILE)
// The password is asked for without echo on a terminal, and read from the first line of
// standard input otherwise (scripts: `printf '%s\n' "$PASSWORD" | npm run user -- add bob`).
import { randomBytes, scrypt } from 'node:crypto';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isEntryPoint } from './entry-point.mjs';

/** What the server's verifier expects by default: N = 2^15 (32 MiB), r = 8, p = 1. */
export const DEFAULT_SCRYPT = { ln: 15, r: 8, p: 1 };
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const MIN_PASSWORD_LENGTH = 8;
const USAGE = 'usage: npm run user -- add <name> [--file <path>]';

class UsageError extends Error {}

/** @param {Buffer} bytes */
const b64 = (bytes) => bytes.toString('base64').replace(/=+$/, '');

/**
 * An scrypt PHC string: $scrypt$ln=..,r=..,p=..$<salt>$<hash>, base64 without padding.
 * @param {string} password
 * @param {{ ln: number, r: number, p: number }} [params]
 * @returns {Promise<string>}
 */
export function scryptHash(password, params = DEFAULT_SCRYPT) {
  const { ln, r, p } = params;
  const salt = randomBytes(SALT_BYTES);
  const options = { N: 2 ** ln, r, p, maxmem: 256 * 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password, salt, HASH_BYTES, options, (error, hash) =>
      error ? reject(error) : resolve(`$scrypt$ln=${ln},r=${r},p=${p}$${b64(salt)}$${b64(hash)}`),
    ),
  );
}

/**
 * Why a name cannot be a user of the file, or undefined when it can.
 * @param {string} name
 */
export function usernameProblem(name) {
  if (name === '') return 'the name is empty';
  if (name !== name.trim()) return 'the name has spaces around it';
  if (name.includes(':')) return 'the name contains ":"';
  if (name.startsWith('#')) return 'the name starts with "#" (a comment)';
  if (/\p{Cc}/u.test(name)) return 'the name contains control characters';
  return undefined;
}

/**
 * Appends `name:<scrypt hash>` to the users file (created with mode 0600 if missing).
 * @param {string} file
 * @param {string} name
 * @param {string} password
 * @param {{ ln: number, r: number, p: number }} [params]
 */
export async function addUser(file, name, password, params = DEFAULT_SCRYPT) {
  const problem = usernameProblem(name);
  if (problem !== undefined) throw new UsageError(problem);
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new UsageError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  /** @type {string | undefined} */
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ENOENT') throw error;
  }
  const taken = (text ?? '').split(/\r?\n/).some((line) => line.trim().startsWith(`${name}:`));
  if (taken) throw new UsageError(`${name} is already in ${file}`);
  const line = `${name}:${await scryptHash(password, params)}\n`;
  if (text === undefined) await writeFile(file, line, { mode: 0o600, flag: 'wx' });
  else await appendFile(file, text === '' || text.endsWith('\n') ? line : `\n${line}`);
}

/**
 * Reads a password from the terminal without echoing it.
 * @param {string} prompt
 * @returns {Promise<string>}
 */
function askHidden(prompt) {
  const input = process.stdin;
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    /** @param {string} chunk */
    const onData = (chunk) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new UsageError('cancelled'));
          return;
        }
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else value += char;
      }
    };
    input.on('data', onData);
  });
}

/** The first line of standard input. */
async function readStdinLine() {
  let text = '';
  for await (const chunk of process.stdin) {
    text += chunk;
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0];
}

async function readPassword() {
  if (!process.stdin.isTTY) return readStdinLine();
  const password = await askHidden('Password: ');
  if ((await askHidden('Password again: ')) !== password) {
    throw new UsageError('the passwords differ');
  }
  return password;
}

/** @param {string[]} argv */
async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { file: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    console.error(USAGE);
    return;
  }
  const [command, name, ...rest] = positionals;
  if (command !== 'add' || name === undefined || rest.length > 0) throw new UsageError(USAGE);
  const file = values.file ?? process.env.AUTH_USERS_FILE;
  if (!file) throw new UsageError('give --file <path> or set AUTH_USERS_FILE');
  const problem = usernameProblem(name);
  if (problem !== undefined) throw new UsageError(problem);
  await addUser(file, name, await readPassword());
  console.error(`user: added ${name} to ${file}`);
}

if (isEntryPoint(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(`user: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 1;
  });
}
