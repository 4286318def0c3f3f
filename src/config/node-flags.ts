// Node/V8 options the server's memory figures depend on (docs/operations.md, "Memory"). V8 reads
// heap sizes once, when the process starts (v8.setFlagsFromString() later has no effect on
// them), and Node refuses --heap-growing-percent in NODE_OPTIONS: they go on node's command
// line wherever the process is started (`npm run start:prod`, a systemd unit's ExecStart, a
// container's CMD). The benchmark and the soak start the server with start:prod's command line.
//
// --max-semi-space-size=16: V8's young generation stops at 2 x 16 MB, as on Node 20. Node 22+
//   lets it grow to 2 x 64 MB on a machine with a few GB of memory, which held ~100 MB more RSS
//   and made each scavenge of a busy server slower, not faster.
// --heap-growing-percent=50: the old generation is collected when it has grown to 1.5x what
//   survived the last full collection, instead of V8's dynamic 1.1x-4x; with ~40 MB live that
//   bounds it near 60 MB under a burst of 1000 clients.
export const NODE_FLAGS = ['--max-semi-space-size=16', '--heap-growing-percent=50'] as const;

/** `--max_semi_space_size=16` and `--max-semi-space-size 16` name the same option. */
function optionName(arg: string): string {
  return arg.split('=')[0].replaceAll('_', '-');
}

/**
 * The NODE_FLAGS options this process was started without (any value counts as given: an
 * operator may choose another). NODE_OPTIONS counts for those Node accepts there.
 */
export function missingNodeFlags(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map(optionName));
  return NODE_FLAGS.filter((flag) => !given.has(optionName(flag)));
}
