/**
 * The lazy merge of sharded lists (functions/store/merged-partitions.ts), on partitions held in
 * memory and read as DynamoDB reads them: a page evaluates `limit` items, a filter drops some of
 * them after evaluation, and the read says where it stopped. A walk of pages must list every
 * matching item once, in order, whatever the page size, the filter and the read budget.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergePartitions, type ReadPartition } from '../../functions/store/merged-partitions.js';

interface Entry {
  key: string;
  id: string;
  match: boolean;
}

/** The reads of one page: each partition from its start, only keys after `after` in list order. */
function reader(partitions: Map<string, Entry[]>, ascending: boolean, after: string | undefined): ReadPartition<Entry> {
  const comesBefore = (a: string, b: string) => (ascending ? a < b : a > b);
  return async (partition, start, limit) => {
    const all = [...(partitions.get(partition) ?? [])]
      .sort((a, b) => (comesBefore(a.key, b.key) ? -1 : comesBefore(b.key, a.key) ? 1 : 0))
      .filter((e) => after === undefined || comesBefore(after, e.key));
    const from = (start?.index as number | undefined) ?? 0;
    const read = all.slice(from, from + limit);
    const items = read.filter((e) => e.match);
    // As DynamoDB: a read that reached its limit says where it stopped, even when nothing follows.
    const more = read.length > 0 && read.length === limit;
    return more ? { items, next: { index: from + limit }, readUpTo: read.at(-1)!.key } : { items };
  };
}

async function walk(partitions: Map<string, Entry[]>, o: { ascending: boolean; limit: number; maxReads: number }) {
  const listed: Entry[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await mergePartitions<Entry>({
      partitions: [...partitions.keys()],
      read: reader(partitions, o.ascending, after),
      sortKey: (e) => e.key,
      ascending: o.ascending,
      limit: o.limit,
      identity: (e) => e.id,
      maxReads: o.maxReads,
    });
    expect(page.items.length).toBeLessThanOrEqual(o.limit);
    listed.push(...page.items);
    if (page.next === undefined) return listed;
    after = page.next;
  }
  throw new Error('the walk did not end');
}

/** Entries with keys unique per identity (an identity may sit in several partitions, under one key). */
const shardedEntries = fc
  .array(
    fc.record({
      n: fc.integer({ min: 0, max: 400 }),
      shards: fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 }),
      match: fc.boolean(),
    }),
    { maxLength: 120 },
  )
  .map((rows) => {
    const byId = new Map(rows.map((r) => [r.n, r]));
    const partitions = new Map<string, Entry[]>(Array.from({ length: 6 }, (_, i) => [`P${i}`, []]));
    for (const r of byId.values()) {
      for (const shard of r.shards) {
        partitions.get(`P${shard}`)!.push({ key: r.n.toString().padStart(4, '0'), id: `o${r.n}`, match: r.match });
      }
    }
    return { partitions, ids: [...byId.values()] };
  });

describe('mergePartitions: one sorted list from its shards', () => {
  it('lists every matching item once, in order, across pages of any size and any read budget', async () => {
    await fc.assert(
      fc.asyncProperty(
        shardedEntries,
        fc.boolean(),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 5 }),
        async ({ partitions, ids }, ascending, limit, maxReads) => {
          const listed = await walk(partitions, { ascending, limit, maxReads });
          const expected = ids
            .filter((r) => r.match)
            .map((r) => r.n)
            .sort((a, b) => (ascending ? a - b : b - a))
            .map((n) => `o${n}`);
          expect(listed.map((e) => e.id)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fills a page from the one shard that holds all of it, reading about `limit` items', async () => {
    const entries = Array.from({ length: 50 }, (_, i) => ({
      key: String(i).padStart(3, '0'),
      id: `o${i}`,
      match: true,
    }));
    const partitions = new Map<string, Entry[]>([
      ['A', entries],
      ['B', []],
      ['C', [{ key: '900', id: 'late', match: true }]],
    ]);
    let itemsRead = 0;
    const read = reader(partitions, true, undefined);
    const page = await mergePartitions<Entry>({
      partitions: ['A', 'B', 'C'],
      read: async (p, start, limit) => {
        const got = await read(p, start, limit);
        itemsRead += got.items.length;
        return got;
      },
      sortKey: (e) => e.key,
      ascending: true,
      limit: 20,
      identity: (e) => e.id,
      maxReads: 40,
    });
    expect(page.items.map((e) => e.id)).toEqual(entries.slice(0, 20).map((e) => e.id));
    expect(page.next).toBe('019');
    expect(itemsRead).toBeLessThanOrEqual(20 + 2 * 8);
  });
});
