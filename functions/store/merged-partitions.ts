/**
 * One sorted list kept in several partitions (the shards of an index), read as one: a lazy k-way
 * merge of the partitions' sorted pages. Pure; the caller gives the read of one page.
 *
 * Why lazy: a page of `limit` items may come from one shard or from all of them. Each shard is
 * read a little at first, then only the shard that holds the merge back is read further, so a
 * page reads about `limit` items in all, not `limit` per shard.
 *
 * The cursor is a sort key. A page may end short of `limit` (the read budget was spent, or a filter
 * matched little); its cursor is then the point up to which every shard has been read, so the next
 * page neither repeats nor skips an item that existed for the whole walk (SPEC "Lists").
 */

/** One page of one partition: its items in list order, and where to go on (undefined: the partition is read). */
export interface PartitionPage<T> {
  items: T[];
  /** The key to start the next read at. */
  next?: Record<string, unknown>;
  /** The sort key of the last item read (matching a filter or not), when `next` is set. */
  readUpTo?: string;
}

export type ReadPartition<T> = (
  partition: string,
  start: Record<string, unknown> | undefined,
  limit: number,
) => Promise<PartitionPage<T>>;

export interface MergeOptions<T> {
  partitions: readonly string[];
  read: ReadPartition<T>;
  sortKey: (item: T) => string;
  /** Ascending sort keys (oldest first) or descending (newest first). */
  ascending: boolean;
  limit: number;
  /** Items of one identity count once (the queue entries of an order waiting for several products). */
  identity: (item: T) => string;
  /** Reads after the first round (one per partition); then the page ends, short, with its cursor. */
  maxReads: number;
}

export interface MergedPage<T> {
  items: T[];
  /** The sort key to go on after; undefined when every partition has been read and listed. */
  next?: string;
}

/** Items read per partition and call: DynamoDB's own cap on a Query is 1 MB, well above this. */
const MAX_READ = 1000;

interface Shard<T> {
  partition: string;
  buffer: T[];
  start?: Record<string, unknown>;
  done: boolean;
  readUpTo?: string;
}

export async function mergePartitions<T>(o: MergeOptions<T>): Promise<MergedPage<T>> {
  const comesBefore = (a: string, b: string) => (o.ascending ? a < b : a > b);
  const shards: Shard<T>[] = o.partitions.map((partition) => ({ partition, buffer: [], done: false }));
  const fill = async (shard: Shard<T>, limit: number) => {
    const page = await o.read(shard.partition, shard.start, Math.min(MAX_READ, limit));
    shard.buffer.push(...page.items);
    shard.start = page.next;
    shard.done = page.next === undefined;
    shard.readUpTo = page.readUpTo;
  };
  await Promise.all(shards.map((s) => fill(s, Math.ceil(o.limit / shards.length) + 1)));

  const out: T[] = [];
  const seen = new Set<string>();
  let last: string | undefined;
  for (let reads = 0; ; ) {
    const open = shards.filter((s) => !s.done);
    // Every shard has been read up to `bound`: items up to it can be listed in order.
    let bound: string | undefined;
    for (const s of open) {
      const upTo = s.readUpTo ?? '';
      if (bound === undefined || comesBefore(upTo, bound)) bound = upTo;
    }
    while (out.length < o.limit) {
      let head: Shard<T> | undefined;
      for (const s of shards) {
        if (s.buffer.length === 0) continue;
        if (!head || comesBefore(o.sortKey(s.buffer[0]!), o.sortKey(head.buffer[0]!))) head = s;
      }
      if (!head) break;
      const key = o.sortKey(head.buffer[0]!);
      if (bound !== undefined && comesBefore(bound, key)) break;
      const item = head.buffer.shift()!;
      last = key;
      const id = o.identity(item);
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(item);
    }
    if (out.length >= o.limit) {
      const more = shards.some((s) => s.buffer.length > 0 || !s.done);
      return more ? { items: out, next: last } : { items: out };
    }
    if (bound === undefined) return { items: out };
    if (reads >= o.maxReads) return { items: out, next: bound };
    const behind = open.filter((s) => (s.readUpTo ?? '') === bound);
    reads += behind.length;
    await Promise.all(behind.map((s) => fill(s, o.limit - out.length + 1)));
  }
}
