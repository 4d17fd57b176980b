/** Short, human-readable renderings for tree labels and descriptions (no VS Code dependency). */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * `timestamp` relative to `now`, both in ms since the epoch: "just now", "5 min ago", "2 hours ago",
 * "3 days ago", "4 months ago", "2 years ago"; a time in the future reads "in 5 min". Empty when the
 * timestamp is missing or zero (MLflow's "unset").
 */
export function formatRelativeTime(timestamp: number | undefined, now: number): string {
  if (!timestamp || !Number.isFinite(timestamp)) return '';
  const diff = now - timestamp;
  const future = diff < 0;
  const abs = Math.abs(diff);
  if (abs < 45_000) return 'just now';
  let text: string;
  if (abs < HOUR) text = `${Math.max(1, Math.round(abs / MINUTE))} min`;
  else if (abs < DAY) text = plural(Math.round(abs / HOUR), 'hour');
  else if (abs < 30 * DAY) text = plural(Math.round(abs / DAY), 'day');
  else if (abs < 365 * DAY) text = plural(Math.max(1, Math.round(abs / (30 * DAY))), 'month');
  else text = plural(Math.max(1, Math.round(abs / (365 * DAY))), 'year');
  // Rounding may reach the next unit's threshold ("24 hours"): keep it, it reads naturally enough.
  return future ? `in ${text}` : `${text} ago`;
}

/** "1 h 5 min", "42 s", "3 days 2 h": the length of a run. Empty when unknown. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min`;
  return `${plural(Math.floor(h / 24), 'day')} ${h % 24} h`;
}

/** A metric value for a one-line description: 4 significant digits, integers whole, NaN/±Inf spelled out. */
export function formatMetricValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Inf';
  if (value === -Infinity) return '-Inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e9)) return value.toExponential(3).replace(/\.?0+e/, 'e');
  // toPrecision may answer in exponent form for large magnitudes; Number() brings it back to plain digits.
  return String(Number(value.toPrecision(4)));
}

/** "512 B", "1.5 KB", "12.3 MB", "2.0 GB" (powers of 1024, as VS Code shows file sizes). */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
