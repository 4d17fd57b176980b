/** JSON as MLflow writes it: NaN and ±Infinity become the strings "NaN", "Infinity", "-Infinity". */
export function encodeJson(value: unknown): string {
  // MLflow's answers never hold null, so a plain encoding without "null" in it had no NaN or
  // Infinity to rewrite; only the others pay for the replacer.
  const plain = JSON.stringify(value);
  if (!plain.includes('null')) return plain;
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
    }
    return v;
  });
}
