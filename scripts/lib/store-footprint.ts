/**
 * `node --expose-gc --import tsx scripts/lib/store-footprint.ts <DATA_DIR>`: the heap the embedded store takes
 * once it has opened that folder (LMDB keeps its data in the memory-mapped file, not in the heap). Prints one JSON line.
 * Used by the benchmark to tell the store's share of a bot process's memory from the bot's own.
 */
import { createEmbeddedStore } from '../../src/store/embedded';

async function main(): Promise<void> {
  const dir = process.argv[2];
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!dir || !gc) throw new Error('usage: node --expose-gc --import tsx scripts/lib/store-footprint.ts <DATA_DIR>');
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const store = createEmbeddedStore({ dir, purgeIntervalMs: 0 });
  await store.init();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  const responses = (await store.listResponses()).length;
  console.log(JSON.stringify({ heapBytes: after - before, responses }));
  await store.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
