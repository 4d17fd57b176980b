import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeJournal, JournalContents, JOURNAL_HEADER_BYTES } from './journal';
import { sha256 } from './storeFile';
import { StoreOpenError } from './storeOpenError';

/** Journal files sit next to the database: `<db>.runlens-journal-<generation>`. */
const SUFFIX = '.runlens-journal-';

export function journalPath(dbPath: string, generation: number): string {
  return `${dbPath}${SUFFIX}${generation}`;
}

export interface JournalFile extends JournalContents {
  path: string;
}

/** Reads every journal of a database, oldest generation first. */
export function readJournals(dbPath: string): JournalFile[] {
  const dir = path.dirname(dbPath);
  const prefix = path.basename(dbPath) + SUFFIX;
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length))) : [];
  const journals: JournalFile[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const bytes = fs.readFileSync(file);
    const contents = decodeJournal(bytes);
    if (!contents) {
      if (bytes.length < JOURNAL_HEADER_BYTES) {
        // Created but never written: nothing was acknowledged from it.
        fs.rmSync(file, { force: true });
        continue;
      }
      throw new StoreOpenError(`${file} is not a Runlens journal (bad header); move it away to open the store.`);
    }
    journals.push({ ...contents, path: file });
  }
  return journals.sort((a, b) => a.header.generation - b.header.generation);
}

export function removeJournal(file: string): void {
  fs.rmSync(file, { force: true });
}

/**
 * Splits a store's journals into those that continue the snapshot just loaded (generation
 * `generation` and later) and stale ones, refusing a snapshot older than its journal or one
 * another program replaced while acknowledged changes wait in the journal.
 */
export function journalsAfter(
  dbPath: string,
  snapshot: Buffer,
  generation: number,
  journals: JournalFile[],
  log: (message: string) => void,
): { current: JournalFile[]; stale: JournalFile[]; pendingRecords: number } {
  const stale = journals.filter((j) => j.header.generation < generation);
  const current = journals.filter((j) => j.header.generation >= generation);
  if (current.length > 0 && current[0].header.generation !== generation) {
    throw new StoreOpenError(
      `${dbPath} is older than its journal (snapshot generation ${generation}, journal ${current[0].header.generation}): ` +
        'the database file was replaced by an older copy. Runlens will not overwrite it.',
    );
  }
  const own = current[0];
  const pendingRecords = current.reduce((n, j) => n + j.records.length, 0);
  if (own) {
    const matches = own.header.snapshotSize === snapshot.length && own.header.snapshotSha256.equals(sha256(snapshot));
    if (!matches && pendingRecords > 0) {
      throw new StoreOpenError(
        `${dbPath} was changed by another program since Runlens last wrote it, and Runlens' journal holds ` +
          `${pendingRecords} acknowledged changes made on top of the earlier version. Runlens will not overwrite either; ` +
          "move the database away to keep the other program's version, or restore the earlier file to recover the journal.",
      );
    }
    if (!matches) log(`${dbPath} was changed by another program while Runlens was stopped; using it as it is.`);
  }
  return { current, stale, pendingRecords };
}
