import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service.js';

// One outcome for a wrong password and an unknown user alike: /metrics may be public, and a
// separate count would tell who exists.
export const LOGIN_OUTCOMES = ['success', 'failure', 'throttled', 'unavailable'] as const;
export type LoginOutcome = (typeof LOGIN_OUTCOMES)[number];
// access: POST /auth/login; guest: GET /auth/joinmember; proconf: ProCONF tokens that
// POST /proconfToken obtained from Admin Control.
export const TOKEN_KINDS = ['access', 'guest', 'proconf'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/** Sign-in and token metrics, on the app's registry; no user name is ever a label. */
@Injectable()
export class IdentityMetrics {
  private readonly logins: Counter<'outcome'> | undefined;
  private readonly tokens: Counter<'kind'> | undefined;

  constructor(metrics: MetricsService) {
    if (!metrics.enabled) return;
    const registers = [metrics.registry];
    this.logins = new Counter({
      name: 'auth_logins_total',
      help: 'POST /auth/login attempts by outcome (failure: unknown user or wrong password).',
      labelNames: ['outcome'],
      registers,
    });
    this.tokens = new Counter({
      name: 'auth_tokens_issued_total',
      help: 'Tokens issued, by kind (access: login, guest: joinmember, proconf: /proconfToken).',
      labelNames: ['kind'],
      registers,
    });
    // Every series from the start: a rate() over a series that appears late misses its start.
    for (const outcome of LOGIN_OUTCOMES) this.logins.inc({ outcome }, 0);
    for (const kind of TOKEN_KINDS) this.tokens.inc({ kind }, 0);
  }

  login(outcome: LoginOutcome): void {
    this.logins?.inc({ outcome });
  }

  tokenIssued(kind: TokenKind): void {
    this.tokens?.inc({ kind });
  }
}
