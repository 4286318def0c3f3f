// Types for tools/user.mjs.

export interface ScryptParams {
  /** log2 of N */
  ln: number;
  r: number;
  p: number;
}

/** N = 2^15, r = 8, p = 1. */
export declare const DEFAULT_SCRYPT: ScryptParams;

/** An scrypt PHC string `$scrypt$ln=..,r=..,p=..$<salt>$<hash>` (base64 without padding). */
export function scryptHash(password: string, params?: ScryptParams): Promise<string>;

/** Why a name cannot be a user of the file, or undefined when it can. */
export function usernameProblem(name: string): string | undefined;

/** Appends `name:<scrypt hash>` to the users file (created with mode 0600 if missing). */
export function addUser(
  file: string,
  name: string,
  password: string,
  params?: ScryptParams,
): Promise<void>;
