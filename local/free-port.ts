import { createServer } from 'node:net';

/**
 * Asks the OS for a port nobody listens on: bind port 0, read what was given, release it.
 * Another process could take it in between; for a local run that window is small enough.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('the OS did not report the port it assigned'));
      });
    });
  });
}
