/**
 * Every way `npm start` can be asked to stop, turned into one call of `onStop`:
 *
 * - SIGINT, SIGTERM or SIGHUP to our process. `npm start` runs `exec node --import tsx
 *   local/start.ts` (package.json): npm forwards SIGINT and SIGTERM to its script's process, and
 *   `exec` makes that process this one. Without `exec` it reached `sh -c`, which died of it
 *   without passing it on, npm then exited, and the service kept running, reparented to init.
 * - The parent going away. `kill -9` of npm (or a crashed IDE or process manager) forwards
 *   nothing; our parent pid then changes (we are reparented to init or a subreaper), which a
 *   poll notices within `parentPollMs`.
 *
 * Ctrl-C in a terminal signals the whole process group, so we receive SIGINT twice: once from
 * the terminal and once forwarded by npm. A repeat within `repeatGraceMs` of the first is that
 * same request; a later one (someone pressing Ctrl-C again while we stop) calls `onForce`.
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface StopRequestOptions {
  /** The first request: stop gracefully. `reason` is the signal name or says the parent is gone. */
  onStop(reason: string): void;
  /** A signal repeated after `repeatGraceMs`, while the graceful stop is under way. */
  onForce(signal: NodeJS.Signals): void;
  /** The parent pid to watch; default `process.ppid` now. Pass the one read at start-up. */
  parentPid?: number;
  parentPollMs?: number;
  repeatGraceMs?: number;
}

/** Installs the listeners and the parent watch; returns a function that removes them. */
export function watchStopRequests(options: StopRequestOptions): () => void {
  const { onStop, onForce, parentPid = process.ppid, parentPollMs = 500, repeatGraceMs = 1_000 } = options;
  let firstAt: number | undefined;
  const request = (reason: string) => {
    if (firstAt !== undefined) return;
    firstAt = Date.now();
    onStop(reason);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt === undefined) request(signal);
    else if (Date.now() - firstAt >= repeatGraceMs) onForce(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);

  // pid 1 (or none) as parent: started detached on purpose, there is no parent to outlive.
  const parentGone = () => process.ppid !== parentPid;
  let poll: NodeJS.Timeout | undefined;
  if (parentPid > 1) {
    if (parentGone()) queueMicrotask(() => request(`the parent process (pid ${parentPid}) is gone`));
    poll = setInterval(() => {
      if (parentGone()) request(`the parent process (pid ${parentPid}) is gone`);
    }, parentPollMs);
    poll.unref();
  }

  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    if (poll) clearInterval(poll);
  };
}
