// Build step: writes dist/empty-store.db, the image new stores start from.
import * as path from 'node:path';
import { writeEmptyStoreImage } from '../src/core/store/emptyStore';
import { loadSqlJs } from '../src/core/store/sqlJs';

void loadSqlJs().then((SQL) => writeEmptyStoreImage(SQL, path.resolve(process.argv[2])));
