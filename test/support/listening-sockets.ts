/**
 * What a process tree listens on, read from Linux's /proc the way `ss -ltnp` does: each
 * process's socket inodes (/proc/<pid>/fd/* -> `socket:[inode]`) matched to the kernel's socket
 * tables (/proc/<pid>/net/tcp, tcp6, udp, udp6). Listening means a TCP socket in LISTEN, or a UDP
 * socket bound to a port but connected to no peer (it takes datagrams from anyone).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { BlockList } from 'node:net';
import { endianness } from 'node:os';

export interface ListeningSocket {
  pid: number;
  /** The process's command line, for failure messages. */
  command: string;
  table: SocketTable;
  address: string;
  port: number;
}

type SocketTable = 'tcp' | 'tcp6' | 'udp' | 'udp6';
const SOCKET_TABLES: readonly SocketTable[] = ['tcp', 'tcp6', 'udp', 'udp6'];
const TCP_LISTEN = '0A';
const UDP_UNCONNECTED = '07';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4'); // also matches IPv4-mapped ::ffff:127.x.y.z
LOOPBACK.addAddress('::1', 'ipv6');

export function isLoopback(socket: Pick<ListeningSocket, 'table' | 'address'>): boolean {
  return LOOPBACK.check(socket.address, socket.table.endsWith('6') ? 'ipv6' : 'ipv4');
}

/** `rootPid` and all its descendants still alive (from the parent pid in /proc/<pid>/stat). */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readOrUndefined(`/proc/${entry}/stat`);
    if (stat === undefined) continue; // exited meanwhile
    // "pid (command) state ppid ...": the command may hold spaces and parentheses.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    tree.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Every listening TCP/UDP socket (IPv4 and IPv6) that one of `pids` holds. */
export function listeningSockets(pids: readonly number[]): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const pid of pids) {
    const inodes = socketInodes(pid);
    if (inodes.size === 0) continue;
    const command = (readOrUndefined(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim();
    for (const table of SOCKET_TABLES) {
      const rows = (readOrUndefined(`/proc/${pid}/net/${table}`) ?? '').trim().split('\n').slice(1);
      for (const row of rows) {
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
        const [, local, , state, , , , , , inode] = row.trim().split(/\s+/);
        if (local === undefined || inode === undefined || !inodes.has(inode)) continue;
        const [hexAddress, hexPort] = local.split(':') as [string, string];
        const port = Number.parseInt(hexPort, 16);
        const listening = table.startsWith('tcp') ? state === TCP_LISTEN : state === UDP_UNCONNECTED && port !== 0;
        if (listening) sockets.push({ pid, command, table, address: decodeAddress(hexAddress), port });
      }
    }
  }
  return sockets;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes; // exited meanwhile
  }
  for (const fd of fds) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode !== undefined) inodes.add(inode);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/**
 * The kernel prints an address as 32-bit words in the machine's byte order: `0100007F` is
 * 127.0.0.1 on x86; IPv6 is four such words.
 */
export function decodeAddress(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes = hex
      .slice(word, word + 8)
      .match(/../g)!
      .map((byte) => Number.parseInt(byte, 16));
    bytes.push(...(endianness() === 'LE' ? wordBytes.reverse() : wordBytes));
  }
  if (bytes.length === 4) return bytes.join('.');
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // The URL parser writes IPv6 in its shortest form: [0:0:0:0:0:0:0:1] -> [::1].
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
