import { spawn } from 'node:child_process';

/**
 * A parent killed with SIGKILL (or a crashed test runner) runs no exit hook, and its Java child
 * would live on, holding a port and memory. This tiny detached Node process polls both pids and,
 * once the parent is gone, stops the child (SIGTERM, then SIGKILL). It exits when the child does.
 */
const WATCHDOG_SCRIPT = `
const [parentPid, childPid] = process.argv.slice(1).map(Number);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const signal = (sig) => { try { process.kill(childPid, sig); } catch {} };
let orphanedAt;
setInterval(() => {
  if (!alive(childPid)) process.exit(0);
  if (orphanedAt === undefined && !alive(parentPid)) { orphanedAt = Date.now(); signal('SIGTERM'); }
  if (orphanedAt !== undefined && Date.now() - orphanedAt > 5000) signal('SIGKILL');
}, 250);
`;

/** Starts the watchdog for `childPid`; returns a function that ends it early (on a clean stop). */
export function watchForOrphan(childPid: number): () => void {
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SCRIPT, String(process.pid), String(childPid)], {
    // Its own process group, so the Ctrl-C meant for us does not end it before it has done its job.
    detached: true,
    stdio: 'ignore',
  });
  watchdog.on('error', () => {}); // best effort: the exit and signal hooks still stop the child
  watchdog.unref();
  return () => {
    if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill();
  };
}
