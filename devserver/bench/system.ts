/** What Linux tells about processes and the machine (/proc). */
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc counts CPU time in these ticks. It is 100 on every mainstream kernel configuration. */
const CLOCK_TICKS_PER_SECOND = 100;
const ticksToMs = (ticks: number): number => (ticks * 1000) / CLOCK_TICKS_PER_SECOND;

/** A size field of /proc/<pid>/status (VmRSS: resident now, VmHWM: peak resident), in KB. */
export function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

/** User + system CPU time of a process (all its threads) so far, in ms. */
export function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses: count fields from after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of the full line (utime, stime) are the 12th and 13th after the name.
  return ticksToMs(Number(fields[11]) + Number(fields[12]));
}

/** Busy CPU time of the whole machine so far (all cores, all processes), in ms. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  // cpu user nice system idle iowait irq softirq steal ...: everything but idle and iowait is busy.
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ticksToMs(user + nice + system + irq + softirq + steal);
}
