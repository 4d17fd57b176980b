/**
 * Python-style `repr()` of strings, lists, sets, bytes and JSON values. MLflow's search error
 * messages embed such reprs (e.g. "Valid keys are '{'name'}'"), so we render them the same way.
 * Python prints sets in hash order; we print them in the order given.
 */

function escapeChar(ch: string, quote: string): string {
  if (ch === '\\') return '\\\\';
  if (ch === quote) return '\\' + ch;
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  const cp = ch.codePointAt(0)!;
  if (cp < 0x20 || cp === 0x7f) return '\\x' + cp.toString(16).padStart(2, '0');
  return ch;
}

/** `repr(s)` of a Python str. */
export function pyStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) out += escapeChar(ch, quote);
  return out + quote;
}

/** `repr(b)` of Python bytes. */
export function pyBytes(bytes: Uint8Array): string {
  const hasSingle = bytes.includes(0x27);
  const quote = hasSingle && !bytes.includes(0x22) ? '"' : "'";
  let out = 'b' + quote;
  for (const b of bytes) {
    if (b >= 0x20 && b < 0x7f) out += escapeChar(String.fromCharCode(b), quote);
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  return out + quote;
}

export function pyList(items: readonly string[]): string {
  return '[' + items.map(pyStr).join(', ') + ']';
}

export function pySet(items: readonly string[]): string {
  return '{' + items.map(pyStr).join(', ') + '}';
}

export function pyTuple(items: readonly string[]): string {
  return '(' + items.map(pyStr).join(', ') + (items.length === 1 ? ',' : '') + ')';
}

/** `repr()` of what Python's json.loads would have produced for a JSON value. */
export function pyJson(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pyStr(value);
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return '[' + value.map(pyJson).join(', ') + ']';
  const entries = Object.entries(value as Record<string, unknown>);
  return '{' + entries.map(([k, v]) => `${pyStr(k)}: ${pyJson(v)}`).join(', ') + '}';
}

/** Python truthiness of a JSON value. */
export function pyTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value as object).length > 0;
  return true;
}

/** Python's `str.islower()`: at least one cased character and no upper-case ones. */
export function pyIsLower(s: string): boolean {
  return /[\p{Lowercase}]/u.test(s) && !/[\p{Uppercase}\p{Lt}]/u.test(s);
}

/** Python's `json.dumps(value, sort_keys=True, separators=(",", ":"))`: non-ASCII escaped as \uXXXX. */
export function pyJsonDumps(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  if (value === undefined) return 'null';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : JSON.stringify(value);
  if (Array.isArray(value)) return '[' + value.map(pyJsonDumps).join(',') + ']';
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return '{' + keys.map((k) => `${pyJsonDumps(k)}:${pyJsonDumps((value as Record<string, unknown>)[k])}`).join(',') + '}';
  }
  return JSON.stringify(value);
}

/** Python's `repr()` of a float: shortest digits, `1.0` for whole numbers, exponent from 1e16 and below 1e-4. */
export function pyFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = value.toExponential().split('e');
  const exp = Number(expText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${whole}.${frac || '0'}`;
}
