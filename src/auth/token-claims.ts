import { ANONYMOUS_SUBJECT } from '../throttle/throttle-keys.js';
import type { AuthUser, JwtPayload } from './auth.types.js';

/**
 * The checks every verified token goes through, whichever key verified it (JWT_SECRET,
 * JWT_PUBLIC_KEY, a JWKS key): jsonwebtoken has checked the signature, alg, nbf, exp, iss and
 * aud; these refuse what a trusted issuer could not have meant. All of them only get easier to
 * pass as time goes on, so a token accepted once stays acceptable until it expires: the
 * verified-token cache never has to re-check them.
 */
export interface ClaimRules {
  /** JWT_MAX_LIFETIME_S: how far ahead exp may be. */
  maxLifetimeSec: number;
  /** JWT_CLOCK_TOLERANCE_SEC: the skew allowed between the issuer's clock and ours. */
  clockToleranceSec: number;
}

/** A verified token as jsonwebtoken returns it with `complete: true`. */
export interface VerifiedToken {
  header: { [parameter: string]: unknown };
  payload: unknown;
}

/** A signed token refused by these rules; its message is for the log only. */
export class TokenRefusedError extends Error {
  override name = 'TokenRefusedError';
}

/**
 * The room a token is scoped to: undefined when it carries no room claim, null when the claim is
 * unusable (not a string, blank, or `roomName` and `room` disagree), which refuses the token:
 * a malformed scope must not fall back to full access.
 */
export function roomScope(payload: JwtPayload): string | undefined | null {
  const claims = [payload.roomName, payload.room].filter((claim) => claim !== undefined);
  if (claims.length === 0) return undefined;
  const rooms = claims.map((claim) => (typeof claim === 'string' ? claim.trim() : ''));
  if (rooms.some((room) => room === '' || room !== rooms[0])) return null;
  return rooms[0];
}

/** Why the token must be refused, or undefined. `nowSec`: seconds since the epoch. */
export function tokenProblem(
  token: VerifiedToken,
  rules: ClaimRules,
  nowSec: number,
): string | undefined {
  // RFC 7515 §4.1.11: a recipient that does not implement every extension crit names must
  // refuse the token. This server implements none.
  if (token.header.crit !== undefined) return 'crit header names extensions we do not implement';
  const payload = token.payload;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return 'the payload is not a JSON object';
  }
  const claims = payload as JwtPayload;
  // exp is required: a token without it would be valid forever.
  if (!isNumericDate(claims.exp)) return 'exp is missing or not a number';
  if (claims.exp > nowSec + rules.maxLifetimeSec + rules.clockToleranceSec) {
    return `exp is more than JWT_MAX_LIFETIME_S (${rules.maxLifetimeSec} s) ahead`;
  }
  if (claims.iat !== undefined) {
    if (!isNumericDate(claims.iat)) return 'iat is not a number';
    if (claims.iat > nowSec + rules.clockToleranceSec) return 'iat is in the future';
  }
  if (claims.sub !== undefined && typeof claims.sub !== 'string') return 'sub is not a string';
  // Guest tokens (ProCONF /auth/joinmember) name their holder with userId instead.
  if (
    claims.sub === undefined &&
    claims.userId !== undefined &&
    typeof claims.userId !== 'string'
  ) {
    return 'userId is not a string';
  }
  if (roomScope(claims) === null) return 'the room claim is malformed';
  return undefined;
}

/** The caller a verified token stands for; throws TokenRefusedError for a token to refuse. */
export function userFromToken(
  token: VerifiedToken,
  rules: ClaimRules,
  nowSec = Math.floor(Date.now() / 1000),
): AuthUser {
  const problem = tokenProblem(token, rules, nowSec);
  if (problem !== undefined) throw new TokenRefusedError(problem);
  const claims = token.payload as JwtPayload & { exp: number };
  const subject = claims.sub ?? claims.userId;
  return {
    subject: typeof subject === 'string' ? subject : ANONYMOUS_SUBJECT,
    roomName: roomScope(claims) ?? undefined,
    expiresAt: claims.exp,
  };
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
