// The server's command line as production starts it: `npm run start:prod` is
// `node <flags> dist/main.js`, and its V8 flags (src/config/node-flags.ts) change how much
// memory the server holds, so everything here that starts the built server (demo, benchmark,
// soak) reads them from there and runs them on the current Node (process.execPath).
import { readFileSync } from 'node:fs';

const PACKAGE_JSON = new URL('../package.json', import.meta.url);

/** @returns {string[]} the arguments of start:prod after `node`, dist/main.js last */
export function serverArgs() {
  const script = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')).scripts?.['start:prod'] ?? '';
  const words = script.trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/main.js') {
    throw new Error(`start:prod must read "node [flags] dist/main.js" (got "${script}")`);
  }
  return words.slice(1);
}
