import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeJournal, JournalContents, JOURNAL_HEADER_BYTES } from './journal';
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
