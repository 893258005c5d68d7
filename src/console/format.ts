/** How values are shown. Times in UTC, as the API stores them, so every reader sees the same time. */

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** An ISO time → the value of an <input type="datetime-local"> read as UTC. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 16);
}

/** The value of an <input type="datetime-local"> (read as UTC) → ISO, or undefined when empty. */
export function fromLocalInput(value: string): string | undefined {
  return value ? `${value.length === 16 ? `${value}:00` : value}Z` : undefined;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export const STATUS_LABELS: Record<string, string> = { pending: 'Pending', retrying: 'Retrying', sent: 'Sent', failed: 'Failed' };

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}
