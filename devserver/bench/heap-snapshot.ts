/**
 * The live JS heap of the server process, measured from outside: node started with `--heapsnapshot-signal` writes
 * a heap snapshot on that signal, and V8 runs a full garbage collection before taking one, so the snapshot's total
 * is what is actually retained. RSS cannot tell that apart from garbage not yet collected and from memory the
 * process keeps after freeing it.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep } from './load';

const SNAPSHOT_TIMEOUT_MS = 60_000;
const SIGNAL = 'SIGUSR2';

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[] } };
  nodes: number[];
}

function isSnapshot(value: unknown): value is HeapSnapshotFile {
  const v = value as Partial<HeapSnapshotFile> | null;
  return Array.isArray(v?.snapshot?.meta?.node_fields) && Array.isArray(v?.nodes);
}

/** Sum of every object's own size: the heap that survived the collection. */
function liveBytes(file: string): number {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isSnapshot(parsed)) throw new Error(`${file} is not a V8 heap snapshot`);
  const fields = parsed.snapshot.meta.node_fields;
  const stride = fields.length;
  const selfSize = fields.indexOf('self_size');
  let total = 0;
  for (let i = selfSize; i < parsed.nodes.length; i += stride) total += parsed.nodes[i];
  return total;
}

export interface HeapSnapshots {
  /** Node flags that make the server write snapshots into this helper's directory. */
  readonly nodeArgs: readonly string[];
  /** Takes a snapshot of `pid` and returns its live heap in KB; the snapshot file is deleted. */
  liveHeapKb(pid: number): Promise<number>;
  dispose(): void;
}

export function heapSnapshots(): HeapSnapshots {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'devserver-bench-heap-'));
  // Snapshots are tens of MB: gone even if the bench stops half-way (watchdog, Ctrl-C).
  const dispose = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', dispose);
  return {
    nodeArgs: [`--heapsnapshot-signal=${SIGNAL}`, `--diagnostic-dir=${dir}`],
    async liveHeapKb(pid) {
      const existing = new Set(readdirSync(dir));
      process.kill(pid, SIGNAL);
      const deadline = Date.now() + SNAPSHOT_TIMEOUT_MS;
      let lastSize = -1;
      while (Date.now() < deadline) {
        await sleep(250);
        const file = readdirSync(dir).find((name) => !existing.has(name));
        if (!file) continue;
        const full = path.join(dir, file);
        // The file grows while V8 writes it; once its size holds still, it is complete if it parses.
        const size = statSync(full).size;
        if (size === 0 || size !== lastSize) {
          lastSize = size;
          continue;
        }
        try {
          const kb = liveBytes(full) / 1024;
          rmSync(full);
          return kb;
        } catch (err) {
          if (!(err instanceof SyntaxError)) throw err;
        }
      }
      throw new Error(`no heap snapshot from process ${pid} within ${SNAPSHOT_TIMEOUT_MS} ms`);
    },
    dispose: () => {
      process.removeListener('exit', dispose);
      dispose();
    },
  };
}
