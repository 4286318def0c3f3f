// Aggregation and rendering for bench/run.mjs: medians over rounds, target checks, the stdout
// table and docs/benchmarks.md. Pure functions of the report object, no I/O.
import os from 'node:os';

export function machineInfo() {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

function median(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
const sum = (values) => values.reduce((a, b) => a + b, 0);

/** Fresh-connection probes of all rounds pooled: p50/p99/max of the complete answers. */
function pooledProbes(runs) {
  const probes = runs.map((r) => r.probe).filter(Boolean);
  if (!probes.length) return null;
  const v = Float64Array.from(probes.flatMap((p) => p.samples)).sort();
  const at = (q) => (v.length ? v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)] : null);
  const statuses = {};
  for (const p of probes) {
    for (const [code, n] of Object.entries(p.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
  }
  return {
    count: v.length,
    errors: sum(probes.map((p) => p.errors)),
    statuses,
    p50: at(0.5),
    p99: at(0.99),
    max: v.length ? v[v.length - 1] : null,
  };
}

/** Medians per (scenario, target); counts of failures are summed so one bad round shows. */
function aggregate(report) {
  const rows = [];
  for (const scenario of report.config.scenarios) {
    for (const target of report.config.targets) {
      const runs = report.runs.filter((r) => r.scenario === scenario && r.target === target);
      if (!runs.length) continue;
      const pick = (k) => runs.map((r) => r[k]);
      const statusCodes = {};
      for (const r of runs) {
        for (const [code, n] of Object.entries(r.statusCodes)) {
          statusCodes[code] = (statusCodes[code] ?? 0) + n;
        }
      }
      rows.push({
        scenario,
        target,
        rounds: runs.length,
        rps: median(pick('rps')),
        p50: median(pick('p50')),
        p99: median(pick('p99')),
        p99All: median(pick('p99All')),
        listenOverflows: sum(pick('listenOverflows')),
        non2xx: sum(pick('non2xx')),
        errors: sum(pick('errors')),
        timeouts: sum(pick('timeouts')),
        statusCodes,
        acCallsPerReq: median(pick('acCallsPerReq')),
        acCallsPerSec: median(pick('acCallsPerSec')),
        maxAcCalls: Math.max(...pick('acCalls')),
        durationS: median(pick('durationS')),
        peakRssMb: median(pick('peakRssMb')),
        endRssMb: median(pick('endRssMb')),
        maxEndRssMb: Math.max(...pick('endRssMb')),
        probe: pooledProbes(runs),
        loaderCpuPct: median(pick('loaderCpuPct')),
        maxLoaderCpuPct: Math.max(...pick('loaderCpuPct')),
        targetCpuPct: median(pick('targetCpuPct')),
        ratio: null,
      });
    }
  }
  for (const row of rows.filter((r) => r.target !== 'baseline')) {
    const base = rows.find((r) => r.scenario === row.scenario && r.target === 'baseline');
    if (base?.rps) row.ratio = row.rps / base.rps;
    // Each round's ratio against the baseline run of the same round (measured next to it): how
    // far the noise of the machine moves the ratio.
    const runsOf = (target) =>
      report.runs.filter((r) => r.scenario === row.scenario && r.target === target);
    const baseRuns = runsOf('baseline');
    row.roundRatios = runsOf(row.target)
      .map((r) => r.rps / (baseRuns.find((b) => b.round === r.round)?.rps ?? NaN))
      .filter(Number.isFinite);
  }
  return rows;
}

// Issue 10: the server's resident memory after the benchmark's load.
const RSS_LIMIT_MB = 200;

function checks(report, rows) {
  const ttl = report.config.cacheTtlMs;
  const server = (s) => rows.find((r) => r.scenario === s && r.target === 'server');
  // 'not run' when the scenario was skipped, 'not measured' when the server was not a target.
  const missing = (s) => (report.config.scenarios.includes(s) ? 'not measured' : 'not run');
  const verdict = (row, ok, s) => (row ? (ok ? 'PASS' : 'FAIL') : missing(s));
  const list = [];
  for (const [s, min] of [
    ['miss', 0.7],
    ['poll', 0.6],
  ]) {
    const row = server(s);
    list.push({
      check: `${s}: throughput`,
      goal: `server >= ${min}x baseline`,
      measured: row?.ratio == null ? 'n/a' : `${row.ratio.toFixed(2)}x`,
      status: row?.ratio == null ? missing(s) : verdict(row, row.ratio >= min, s),
    });
  }
  const poll = server('poll');
  // One room: at most one refresh per TTL window, plus one for a window cut by the run's edges.
  const allowed = poll ? Math.floor((poll.durationS * 1000) / ttl) + 1 : null;
  list.push({
    check: 'poll: Admin Control calls',
    goal:
      `<= 1 per room per ${ttl} ms window (<= ${(1000 / ttl).toFixed(2)}/s, ` +
      `<= ${allowed ?? '?'} per run)`,
    measured: poll
      ? `${poll.acCallsPerSec.toFixed(2)}/s (worst run ${poll.maxAcCalls} calls)`
      : 'n/a',
    status: verdict(poll, poll && poll.maxAcCalls <= allowed, 'poll'),
  });
  const measured = rows.filter((r) => r.target === 'server' && r.scenario !== 'faulty');
  const worst = measured.sort((a, b) => b.maxEndRssMb - a.maxEndRssMb)[0];
  list.push({
    check: 'memory: server RSS after load',
    goal: `<= ${RSS_LIMIT_MB} MB after every run of miss, poll and storm`,
    measured: worst ? `${worst.maxEndRssMb.toFixed(0)} MB (worst: ${worst.scenario})` : 'n/a',
    status: worst ? (worst.maxEndRssMb <= RSS_LIMIT_MB ? 'PASS' : 'FAIL') : 'not measured',
  });
  for (const s of ['miss', 'poll', 'storm']) {
    const row = server(s);
    list.push({
      check: `${s}: no errors`,
      goal: '0 non-2xx and 0 socket errors/timeouts',
      measured: row ? `${row.non2xx} non-2xx, ${row.errors} errors` : 'n/a',
      status: verdict(row, row && row.non2xx === 0 && row.errors === 0, s),
    });
  }
  return list;
}

export function summarize(report) {
  const rows = aggregate(report);
  return { rows, checks: checks(report, rows) };
}

const fmt = {
  int: (v) => (v == null ? '-' : Math.round(v).toLocaleString('en-US')),
  ms: (v) => (v == null ? '-' : String(Number(v.toFixed(2)))),
  ratio: (v) => (v == null ? '-' : `${v.toFixed(2)}x`),
  perReq: (v) => (v == null ? '-' : v < 0.01 && v > 0 ? v.toExponential(1) : v.toFixed(3)),
  mb: (v) => (v == null ? '-' : v.toFixed(1)),
};
const HEAD = [
  'scenario',
  'target',
  'req/s',
  'p50 ms',
  'p99 ms',
  'non-2xx',
  'errors',
  'AC calls/req',
  'RSS after MB',
  'new conn p99 ms',
  'ratio',
];
const cells = (r) => [
  r.scenario,
  r.target,
  fmt.int(r.rps),
  fmt.ms(r.p50),
  fmt.ms(r.p99),
  fmt.int(r.non2xx),
  fmt.int(r.errors),
  fmt.perReq(r.acCallsPerReq),
  fmt.mb(r.endRssMb),
  r.probe ? fmt.int(r.probe.p99) : '-',
  fmt.ratio(r.ratio),
];

export function renderTable(report) {
  const lines = [HEAD, ...report.summary.rows.map(cells)];
  const width = HEAD.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const out = [
    `Node ${report.machine.node}; server: ${report.config.serverCommand}`,
    ...lines.map((l) =>
      l.map((c, i) => (i < 2 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  '),
    ),
  ];
  out.push(
    '',
    ...report.summary.checks.map(
      (c) => `${c.status.padEnd(12)} ${c.check}: ` + `${c.measured} (goal ${c.goal})`,
    ),
  );
  for (const f of report.failures) out.push(`HARNESS FAILURE in ${f.scenario}: ${f.message}`);
  return out.join('\n');
}

function logSizes(report) {
  const kb = (n) =>
    n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} KB`;
  return report.logs.map((l) => `${l.scenario}/${l.target} ${kb(l.bytes)}`).join(', ') || 'none';
}

export function renderMarkdown(report) {
  const { config: c, machine: m, summary } = report;
  const md = (row) => `| ${row.join(' | ')} |`;
  const scen = c.scenarios.map((s) => {
    const d = c.scenarioDefs[s];
    const rooms = d.rooms === 'unique' ? 'a new room per request' : `${d.rooms} room(s)`;
    const fault = d.fault ? `, simulator fault \`${JSON.stringify(d.fault)}\`` : '';
    return `- \`${s}\`: ${d.connections} connections, ${rooms}${fault}`;
  });
  const busy = summary.rows.filter((r) => r.maxLoaderCpuPct >= 90);
  const faulty = summary.rows.filter((r) => r.scenario === 'faulty');
  const out = [
    '# Benchmarks: GET /callStatus',
    '',
    `- Date: ${report.startedAt}`,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.platform}`,
    `- Command: \`${report.command}\` (\`npm run bench\` runs \`node bench/run.mjs\`)`,
    '- Raw results: `bench/results/latest.json` (not committed)',
    '- Profile, what dominates, and what was tried: [performance.md](performance.md)',
    '',
    '## Method',
    '',
    `- Targets: **server** = \`${c.serverCommand}\`, the command of \`npm run start:prod\` ` +
      '(NestJS on Fastify; `NODE_ENV=production`, `LOG_LEVEL=info`, `HOST=127.0.0.1`); **baseline** = `bench/baseline-proxy.mjs`, a minimal ' +
      '`node:http` proxy with the same JWT check, roomName validation, envelopes, single flight ' +
      'per room and keep-alive upstream agent, and **no cache**.' +
      (c.targets.includes('lean')
        ? ' **lean** = the server with the access log (`LOG_LEVEL=warn`), metrics ' +
          '(`METRICS_ENABLED=false`) and the rate limit (`RATE_LIMIT_ENABLED=false`) off: ' +
          'not a production configuration; it shows what those three cost.'
        : '') +
      (c.targets.includes('bare')
        ? ' **bare** = the server started as `node dist/main.js`, without the V8 flags of ' +
          '`npm run start:prod` ([operations.md](operations.md), "Memory").'
        : '') +
      (c.targets.includes('floor')
        ? ' **floor** = `bench/floor-app.mjs` with the same V8 flags: the stack the server must ' +
          "be built from (Nest on Fastify, a class-validator DTO through Nest's `ValidationPipe`, " +
          'a passport-jwt guard, `@nestjs/axios` on its default adapter with a keep-alive agent, ' +
          "an exception filter), used the plain way with the baseline's features only (no cache, " +
          'log, metrics, rate limit or Admin Control protection).'
        : ''),
    `- Status cache TTL in effect for the server: ${c.cacheTtlMs} ms (${c.cacheTtlSource}).`,
    '- Admin Control: `tools/admin-simulator.mjs` in its own child process on 127.0.0.1 ' +
      '(`unknownRooms: "create"`), driven over IPC; its request counter gives the Admin Control ' +
      'calls per client request.',
    '- Per scenario the targets are started fresh (own processes) and measured interleaved ' +
      `(A B A B ...) for ${c.rounds} round(s)` +
      `${c.rounds < 3 ? ' (**fewer than 3: indicative only**)' : ''}. Each run: ` +
      `${c.warmupS} s warm-up, then ${c.durationS} s of autocannon 9 (one thread, ` +
      'pipelining 1, 10 s timeout).',
    '- Every connection sends its own HS256 token (minted per connection index, `exp` +2 h), so a ' +
      'verified-token cache can help at most once per client.',
    ...scen,
    "- Latency p50/p99 are steady-state: each connection's first response is left out, because it " +
      'also pays for the TCP connect, and opening up to 1000 connections at once overflows the ' +
      "listen backlog (Node default 511), costing a 1 s SYN retransmit. autocannon's own p99 " +
      '(connect included) is listed under Diagnostics.',
    c.probeRate > 0
      ? `- New conn p99: while the load generator saturates the target, a separate process opens ` +
        `${c.probeRate} fresh connections a second (from 1 s into each measured run until 0.5 s ` +
        'before its end), each sending one request with `Connection: close`; the time from ' +
        'connect to the complete answer, all rounds pooled. It is what a client that ' +
        '(re)connects during a busy period waits for ([operations.md](operations.md), "Capacity").'
      : '- New connections were not probed (`BENCH_PROBE_RATE=0`).',
    '- Aggregation: req/s, latency, AC calls/req and RSS are medians over rounds; non-2xx and ' +
      'errors are summed over rounds. Ratio = target req/s / baseline req/s. RSS after = VmRSS of ' +
      'the target process when the load of a measured run stops (the process keeps it: V8 holds ' +
      'freed heap pages for reuse); peak RSS (Diagnostics) = the highest VmRSS sampled every ' +
      '250 ms during the run.',
    '- Shared CPU: load generator, target and simulator all run on the same ' +
      `${m.cores} cores, so absolute numbers are lower bounds; the ratio is the useful figure.`,
    '- Target stdout/stderr go to `bench/results/logs/<scenario>-<target>.log`; bytes written per ' +
      `scenario: ${logSizes(report)}.`,
    busy.length
      ? `- **Load generator saturated** (>= 90% of one core) in: ${busy
          .map((r) => `${r.scenario}/` + `${r.target} (${r.maxLoaderCpuPct.toFixed(0)}%)`)
          .join(', ')}. There autocannon, not the ` +
        'target, limits throughput and ratios are compressed toward 1.'
      : '- The load generator stayed below 90% of one core in every run.',
    '',
    '## Results',
    '',
    md(HEAD),
    md(HEAD.map((_, i) => (i < 2 ? '---' : '---:'))),
    ...summary.rows.map((r) => md(cells(r))),
    '',
    "Diagnostics (p99 incl. connect = autocannon's own p99, first request of each connection " +
      'included; new conn = the fresh-connection probes: p50 / max in ms, and their count, ' +
      'errors (no complete answer within 10 s) and status codes; listen overflows = kernel ' +
      "`ListenOverflows` delta during the measured runs; ratio per round = the target's req/s " +
      "over the baseline's in the same round, which shows how much the machine moved the ratio " +
      'during the run):',
    '',
    '| scenario | target | AC calls/s | p99 incl. connect ms | new conn p50 / max ms ' +
      '| new conn count, errors, statuses | peak RSS MB | listen overflows | loader CPU % ' +
      '| target CPU % | ratio per round | status codes |',
    '|---|---|---:|---:|---:|---|---:|---:|---:|---:|---|---|',
    ...summary.rows.map((r) =>
      md([
        r.scenario,
        r.target,
        r.acCallsPerSec.toFixed(1),
        fmt.ms(r.p99All),
        r.probe ? `${fmt.int(r.probe.p50)} / ${fmt.int(r.probe.max)}` : '-',
        r.probe
          ? `${r.probe.count}, ${r.probe.errors}, ` +
            Object.entries(r.probe.statuses)
              .map(([k, v]) => `${k}: ${v}`)
              .join(' ')
          : '-',
        fmt.mb(r.peakRssMb),
        fmt.int(r.listenOverflows),
        fmt.int(r.loaderCpuPct),
        fmt.int(r.targetCpuPct),
        r.roundRatios?.map((v) => v.toFixed(2)).join(', ') ?? '-',
        Object.entries(r.statusCodes)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', '),
      ]),
    ),
    '',
    '## Targets',
    '',
    '| check | goal | measured | status |',
    '|---|---|---|---|',
    ...summary.checks.map((k) => md([k.check, k.goal, k.measured, k.status])),
    '',
    faulty.length
      ? '`faulty` is informational: non-2xx there are expected (Admin Control flapping) and are ' +
        'not harness failures; compare the status-code mix and latency of the two targets.'
      : '`faulty` was not run.',
  ];
  for (const f of report.failures) {
    out.push('', `**Harness failure** in ${f.scenario}: ${f.message}`);
  }
  return `${out.join('\n')}\n`;
}
