// Fresh-connection prober for the benchmark, in its own process so that the load generator's
// busy event loop does not delay it: while the target is saturated by the load generator, it
// opens a new TCP connection at a fixed rate, sends one request and times connect + the whole
// response, which is what a client that (re)connects during a busy period waits for.
// Driven over IPC by bench/run.mjs:
//   parent -> { cmd: 'start', url, path, token, perSecond }, later { cmd: 'stop' }
//             (`{seq}` in path becomes a per-probe counter: a room no cache has seen)
//   child  -> { type: 'ready' } once, then { type: 'result', samples, connects, statuses,
//             errors } after each 'stop' (samples and connects in ms).
import net from 'node:net';

if (!process.send) throw new Error('connect-probe.mjs must be started with child_process.fork()');

// A probe without a complete answer by then counts as an error (a client's connect timeout).
const PROBE_TIMEOUT_MS = 10_000;

let timer = null;
let run = null;
let seq = 0;

function probe(state, { host, port, path, token }) {
  const started = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
  const socket = net.connect({ host, port });
  state.open.add(socket);
  let received = '';
  let done = false;
  const finish = (status) => {
    if (done) return;
    done = true;
    state.open.delete(socket);
    socket.destroy();
    if (status === undefined) {
      state.errors++;
      return;
    }
    state.samples.push(ms());
    state.statuses[status] = (state.statuses[status] ?? 0) + 1;
  };
  socket.setTimeout(PROBE_TIMEOUT_MS, () => finish());
  socket.once('error', () => finish());
  socket.once('end', () => finish());
  socket.once('connect', () => {
    state.connects.push(ms());
    socket.write(
      `GET ${path.replace('{seq}', String(++seq))} HTTP/1.1\r\nHost: ${host}:${port}\r\n` +
        `Authorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
    );
  });
  socket.setEncoding('latin1');
  socket.on('data', (chunk) => {
    received += chunk;
    const end = received.indexOf('\r\n\r\n');
    if (end === -1) return;
    const head = received.slice(0, end);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const complete = length
      ? received.length - end - 4 >= Number(length[1])
      : /\r\ntransfer-encoding:\s*chunked/i.test(head) && received.endsWith('\r\n0\r\n\r\n');
    if (complete) finish(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0));
  });
}

function report(state) {
  const { samples, connects, statuses, errors } = state;
  process.send({ type: 'result', samples, connects, statuses, errors });
}

process.on('message', (msg) => {
  if (msg.cmd === 'start') {
    const { hostname: host, port } = new URL(msg.url);
    const target = { host, port: Number(port), path: msg.path, token: msg.token };
    const state = { samples: [], connects: [], statuses: {}, errors: 0, open: new Set() };
    run = state;
    timer = setInterval(() => probe(state, target), 1000 / msg.perSecond);
  } else if (msg.cmd === 'stop' && run !== null) {
    clearInterval(timer);
    const state = run;
    run = null;
    // Probes still in flight are waited for (each ends by PROBE_TIMEOUT_MS at the latest).
    const settle = setInterval(() => {
      if (state.open.size > 0) return;
      clearInterval(settle);
      report(state);
    }, 20);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready' });
