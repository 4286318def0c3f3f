import { createServer } from 'node:net';

/** What to listen on, and the variable each number comes from (for messages). */
export interface Listener {
  variable: 'PORT' | 'METRICS_PORT';
  port: number;
  host: string;
}

/** One line an operator can act on, for an error from listen(). */
export function listenErrorMessage(error: unknown, { variable, port, host }: Listener): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return `${variable} ${port} is already in use on ${host}: stop what listens there or set ${variable} to a free port`;
    case 'EACCES':
      return `${variable} ${port} needs privileges on ${host}: use a port above 1023 (a proxy can serve 80/443) or grant CAP_NET_BIND_SERVICE`;
    case 'EADDRNOTAVAIL':
      return `HOST ${host} is not an address of this machine (cannot listen on ${variable} ${port})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `HOST ${host} cannot be resolved (cannot listen on ${variable} ${port})`;
    default:
      return `cannot listen on HOST ${host}, ${variable} ${port}: ${typeof code === 'string' ? code : String(error)}`;
  }
}

/**
 * Why the server could not listen where it is configured to, found before the app boots (so an
 * operator sees one line, not Nest's start-up log followed by a stack), or undefined. Port 0
 * (any free port) always works. The real listen() can still lose a race; main.ts reports that
 * the same way.
 */
export async function listenProblem(listener: Listener): Promise<string | undefined> {
  if (listener.port === 0) return undefined;
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen({ port: listener.port, host: listener.host, exclusive: true }, resolve);
    });
    return undefined;
  } catch (error) {
    return listenErrorMessage(error, listener);
  } finally {
    await new Promise((resolve) => (probe.listening ? probe.close(resolve) : resolve(undefined)));
  }
}

/** Every problem with the listeners, one line each: a clash between them first. */
export async function listenProblems(listeners: readonly Listener[]): Promise<string[]> {
  const [main, ...others] = listeners;
  const clash = others.find((other) => other.port !== 0 && other.port === main.port);
  if (clash !== undefined)
    return [`${clash.variable} must differ from ${main.variable} (${main.port})`];
  const problems: string[] = [];
  for (const listener of listeners) {
    const problem = await listenProblem(listener);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}
