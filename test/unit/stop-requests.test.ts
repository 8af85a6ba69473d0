/**
 * local/stop-requests.ts: which events stop `npm start`, and that one Ctrl-C delivered twice
 * (by the terminal to the whole group, and forwarded by npm) is one request, not "stop now".
 * Signals are emitted as events on `process`: the listeners run, nothing is really sent.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { STOP_SIGNALS, watchStopRequests } from '../../local/stop-requests.js';

let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  dispose = undefined;
  vi.useRealTimers();
});

function watch(options: { parentPid?: number } = {}) {
  const onStop = vi.fn();
  const onForce = vi.fn();
  dispose = watchStopRequests({ onStop, onForce, parentPid: options.parentPid ?? process.ppid, repeatGraceMs: 1_000 });
  return { onStop, onForce };
}

describe('watchStopRequests', () => {
  it.each(STOP_SIGNALS)('stops on %s', (signal) => {
    const { onStop, onForce } = watch();
    process.emit(signal, signal);
    expect(onStop).toHaveBeenCalledExactlyOnceWith(signal);
    expect(onForce).not.toHaveBeenCalled();
  });

  it('takes a repeat within the grace period for the same request, and a later one as "now"', () => {
    vi.useFakeTimers();
    const { onStop, onForce } = watch();
    process.emit('SIGINT', 'SIGINT'); // from the terminal
    vi.advanceTimersByTime(50);
    process.emit('SIGINT', 'SIGINT'); // the same Ctrl-C, forwarded by npm
    process.emit('SIGTERM', 'SIGTERM');
    expect(onStop).toHaveBeenCalledOnce();
    expect(onForce).not.toHaveBeenCalled();

    vi.advanceTimersByTime(1_000);
    process.emit('SIGINT', 'SIGINT'); // pressed again while stopping
    expect(onForce).toHaveBeenCalledExactlyOnceWith('SIGINT');
    expect(onStop).toHaveBeenCalledOnce();
  });

  it('stops once the parent is gone (our parent pid is no longer the one we started under)', async () => {
    const gone = process.ppid + 1_000_000; // as if npm had been killed and we were reparented
    const { onStop } = watch({ parentPid: gone });
    await vi.waitFor(() => expect(onStop).toHaveBeenCalledExactlyOnceWith(`the parent process (pid ${gone}) is gone`));
  });

  it('keeps running while the parent lives, and watches nothing when started under pid 1', async () => {
    const { onStop } = watch();
    await new Promise((resolve) => setTimeout(resolve, 700)); // more than one poll
    expect(onStop).not.toHaveBeenCalled();
    dispose?.();
    const orphan = watch({ parentPid: 1 });
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(orphan.onStop).not.toHaveBeenCalled();
  });

  it('removes its listeners when disposed', () => {
    const before = process.listenerCount('SIGTERM');
    const { onStop } = watch();
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    dispose?.();
    dispose = undefined;
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(onStop).not.toHaveBeenCalled();
  });
});
