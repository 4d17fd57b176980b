import * as fs from 'node:fs';
import type { SqlDatabase } from '../db/database';
import type { StepSummaries } from './stepSummaries';

/**
 * Step summaries outlive a clean restart: close() leaves them beside the store with the store's
 * fingerprint, and the next open takes them only when it finds the file exactly as it was left
 * (otherwise they are recomputed when a chart asks). A cache file is never trusted for data that
 * another program may have changed, and a damaged one is ignored.
 */
export function restoreSummaries(db: SqlDatabase, summaries: StepSummaries): void {
  const persistence = db.persistence;
  if (!persistence?.openedAs) return;
  try {
    const kept = JSON.parse(fs.readFileSync(persistence.cacheFile, 'utf8')) as { fingerprint?: string; steps?: unknown };
    if (kept.fingerprint === persistence.openedAs && kept.steps && typeof kept.steps === 'object') {
      summaries.load(kept.steps as Parameters<StepSummaries['load']>[0]);
    }
  } catch {
    // No cache, or an unreadable one: summaries are computed on demand.
  }
}

export function keepSummaries(db: SqlDatabase, summaries: StepSummaries): void {
  const persistence = db.persistence;
  if (!persistence?.closedAs) return;
  const steps = summaries.toJSON();
  if (Object.keys(steps).length === 0) {
    fs.rmSync(persistence.cacheFile, { force: true });
    return;
  }
  const tmp = `${persistence.cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify({ fingerprint: persistence.closedAs, steps }));
    fs.renameSync(tmp, persistence.cacheFile);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}
