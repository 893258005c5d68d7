/** Resident memory of the service's processes, read from /proc (Linux). */
import { readdir, readFile } from 'node:fs/promises';

async function readStatus(pid: number): Promise<string> {
  return readFile(`/proc/${pid}/status`, 'utf8');
}

function statusField(status: string, field: string): string | undefined {
  return new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(status)?.[1];
}

/** VmRSS of a process, in KB. */
export async function rssKb(pid: number): Promise<number> {
  const value = statusField(await readStatus(pid), 'VmRSS');
  if (value === undefined) throw new Error(`process ${pid} has no VmRSS (a zombie?)`);
  return Number.parseInt(value, 10);
}

/**
 * The node process that runs the code of a `tsx <entry>` child: tsx is a wrapper that starts node again with its
 * loader, so the service's memory is its child's (whose own children, esbuild's service, are tsx's and not counted).
 */
export async function nodeProcessOf(wrapperPid: number): Promise<number> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const status = await readStatus(pid).catch(() => '');
    if (statusField(status, 'PPid') === String(wrapperPid) && statusField(status, 'Name') === 'node') children.push(pid);
  }
  if (children.length !== 1) throw new Error(`expected one node child of process ${wrapperPid}, found ${children.length}`);
  return children[0];
}
