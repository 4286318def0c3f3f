// Runs the Admin Control simulator in its own process so that it does not compete with
// autocannon for the bench process's event loop. Driven by the parent over IPC:
//   parent -> { id, cmd: 'calls' | 'resetCounters' | 'setFault' | 'close', arg }
//   child  -> { type: 'ready', url } once, then { id, ok, value | error } per command.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

if (!process.send) throw new Error('sim-process.mjs must be started with child_process.fork()');

const simPath = fileURLToPath(
  new URL(process.env.BENCH_SIM_MODULE ?? '../tools/admin-simulator.mjs', import.meta.url),
);
if (!existsSync(simPath)) {
  process.send({ type: 'fatal', error: `Admin Control simulator not found at ${simPath}` });
  process.exit(1);
}
const { startAdminSimulator } = await import(pathToFileURL(simPath).href);
const sim = await startAdminSimulator({ port: 0, unknownRooms: 'create', record: false });

const commands = {
  calls: () => sim.calls,
  resetCounters: () => sim.resetCounters(),
  setFault: (arg) => sim.setFault(arg),
  close: async () => {
    await sim.close();
    setImmediate(() => process.exit(0));
  },
};

process.on('message', async ({ id, cmd, arg }) => {
  try {
    if (!commands[cmd]) throw new Error(`unknown command ${cmd}`);
    const value = await commands[cmd](arg);
    process.send({ id, ok: true, value: value ?? null });
  } catch (err) {
    process.send({ id, ok: false, error: String(err?.message ?? err) });
  }
});
// The parent going away (crash, SIGKILL) closes the IPC channel: never outlive it.
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', url: sim.url });
