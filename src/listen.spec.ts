import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenErrorMessage, listenProblem, listenProblems } from './listen.js';

describe('listenProblems', () => {
  let busy: Server;
  let port: number;

  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise((resolve) => busy.close(resolve)));

  it('names the variable whose port is taken, in one line', async () => {
    expect(await listenProblem({ variable: 'PORT', port, host: '127.0.0.1' })).toBe(
      `PORT ${port} is already in use on 127.0.0.1: stop what listens there or set PORT to a free port`,
    );
    expect(
      await listenProblems([
        { variable: 'PORT', port: 0, host: '127.0.0.1' },
        { variable: 'METRICS_PORT', port, host: '127.0.0.1' },
      ]),
    ).toEqual([
      `METRICS_PORT ${port} is already in use on 127.0.0.1: stop what listens there or set METRICS_PORT to a free port`,
    ]);
  });

  it('finds nothing wrong with a free port or port 0, and leaves the port free', async () => {
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const freePort = (free.address() as { port: number }).port;
    await new Promise((resolve) => free.close(resolve));
    expect(await listenProblem({ variable: 'PORT', port: freePort, host: '127.0.0.1' })).toBe(
      undefined,
    );
    expect(await listenProblem({ variable: 'PORT', port: freePort, host: '127.0.0.1' })).toBe(
      undefined,
    );
    expect(await listenProblem({ variable: 'PORT', port: 0, host: '127.0.0.1' })).toBeUndefined();
  });

  it('refuses METRICS_PORT equal to PORT before trying either', async () => {
    expect(
      await listenProblems([
        { variable: 'PORT', port: 3000, host: '0.0.0.0' },
        { variable: 'METRICS_PORT', port: 3000, host: '0.0.0.0' },
      ]),
    ).toEqual(['METRICS_PORT must differ from PORT (3000)']);
  });

  it('names HOST when the address is not this machine', async () => {
    expect(await listenProblem({ variable: 'PORT', port: 3999, host: '192.0.2.1' })).toBe(
      'HOST 192.0.2.1 is not an address of this machine (cannot listen on PORT 3999)',
    );
  });
});

describe('listenErrorMessage', () => {
  const where = { variable: 'PORT', port: 80, host: '0.0.0.0' } as const;

  it.each([
    [
      'EACCES',
      'PORT 80 needs privileges on 0.0.0.0: use a port above 1023 (a proxy can serve 80/443) or grant CAP_NET_BIND_SERVICE',
    ],
    ['ENOTFOUND', 'HOST 0.0.0.0 cannot be resolved (cannot listen on PORT 80)'],
    ['EMFILE', 'cannot listen on HOST 0.0.0.0, PORT 80: EMFILE'],
  ])('explains %s', (code, message) => {
    expect(listenErrorMessage(Object.assign(new Error('x'), { code }), where)).toBe(message);
  });
});
