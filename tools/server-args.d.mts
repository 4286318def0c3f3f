// Types for tools/server-args.mjs.

/** The arguments of start:prod after `node`, dist/main.js last (relative to the repository). */
export declare function serverArgs(): string[];
