import { parseArgs } from 'node:util';
import { ArtifactRepository } from '../core/artifacts/artifactRepository';
import { parseDuration, purgeDeleted } from '../core/store/sql/garbageCollector';
import { openStore } from '../core/store/openStore';
import { resolveStore, STORE_OPTIONS, UsageError } from './storeOptions';

const HELP = `Usage: runlens gc [options]

Permanently deletes runs and experiments in the deleted lifecycle stage, with their artifacts
(MLflow's "mlflow gc"). Run it while no server is using the store.

Options:
  --backend-store-uri URI        sqlite:///path/to/mlflow.db (default sqlite:///.runlens/mlflow.db)
  --artifacts-destination DIR    Folder of proxied artifacts (default .runlens/artifacts)
  --older-than DURATION          Only what was deleted at least this long ago, e.g. 30d or 1d2h3m4s
  --run-ids IDS                  Comma-separated run ids (each must be deleted)
  --experiment-ids IDS           Comma-separated experiment ids (each must be deleted)
  --read-write                   Also purge a database written by MLflow (at the revision Runlens writes)
  -h, --help                     Show this help`;

const list = (text: string | undefined) => (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export async function runGcCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...STORE_OPTIONS,
      'older-than': { type: 'string' },
      'run-ids': { type: 'string' },
      'experiment-ids': { type: 'string' },
      'read-write': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  let store: ReturnType<typeof resolveStore>;
  let olderThanMs: number | undefined;
  try {
    store = resolveStore(values);
    olderThanMs = values['older-than'] ? parseDuration(values['older-than']) : undefined;
  } catch (e) {
    console.error(`runlens gc: ${(e as Error).message}`);
    return e instanceof UsageError || (e as Error).name === 'MlflowError' ? 2 : 1;
  }
  const { db, lock, access } = await openStore({
    dbPath: store.dbPath,
    defaultArtifactRoot: 'mlflow-artifacts:',
    readWrite: values['read-write'],
    watchIntervalMs: 0,
  });
  try {
    if (access.readOnly) {
      console.error(`runlens gc: ${db.readOnlyError().message}`);
      return 1;
    }
    const purged = await purgeDeleted(db, { olderThanMs, runIds: list(values['run-ids']), experimentIds: list(values['experiment-ids']) });
    const artifacts = new ArtifactRepository(store.artifactsDestination);
    let removed = 0;
    // A run's folder holds its artifacts/ (and nothing else of MLflow's); remove the folder whole.
    const runFolders = purged.runs.map((r) => r.artifactUri.replace(/\/artifacts\/?$/, ''));
    for (const uri of [...runFolders, ...purged.experiments.map((e) => e.artifactLocation)]) {
      if (!uri) continue;
      try {
        if (await artifacts.remove(uri)) removed++;
      } catch (e) {
        console.error(`runlens gc: could not remove artifacts at ${uri}: ${(e as Error).message}`);
      }
    }
    console.log(`Purged ${purged.runs.length} run(s) and ${purged.experiments.length} experiment(s); removed ${removed} artifact folder(s).`);
    return 0;
  } finally {
    await db.close();
    lock?.release();
  }
}
