import { parseArgs } from 'node:util';
import { copyBetweenStores, type CopyBetweenResult } from '../core/copy/copyBetweenStores';
import { COPY_KINDS, type CopyKind, type CopyProgress } from '../core/copy/copyTypes';

export const COPY_HELP = `Usage: runlens copy --from STORE --to STORE [options]

Copies experiments, runs (info, params, tags, full metric histories, dataset inputs,
artifacts), MLflow 3 logged models and the model registry (versions, aliases, stages) from one
tracking store into another. Safe to run again: what was copied is skipped, and what an
interrupted copy left half done is finished without duplicates (copies carry the tags
runlens.copy.source and runlens.copy.complete). Ctrl-C stops it; run it again to resume.

Stores:
  sqlite:///path/to/mlflow.db   A local SQLite store, served by a temporary runlens server
                                (a database written by MLflow is opened read-only)
  http(s)://host:port           A tracking server. Auth and TLS come from MLflow's variables:
                                MLFLOW_TRACKING_USERNAME + MLFLOW_TRACKING_PASSWORD or
                                MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_SERVER_CERT_PATH,
                                MLFLOW_TRACKING_INSECURE_TLS, MLFLOW_HTTP_REQUEST_TIMEOUT,
                                MLFLOW_HTTP_REQUEST_MAX_RETRIES, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR
  path/to/mlruns, file:///...   An MLflow file store (served by runlens server when this build
                                can read file stores)

Options:
  --from STORE                  Store to copy from (required)
  --to STORE                    Store to copy into (required; a new sqlite file is created)
  --from-artifacts DIR          Artifacts folder of a sqlite --from store
                                (default: mlartifacts/ or artifacts/ next to the database)
  --to-artifacts DIR            Artifacts folder of a sqlite --to store (same default)
  --to-read-write               Allow writing a --to database that MLflow made
  --experiment NAME             Copy only this experiment (repeatable)
  --skip-deleted                Leave out deleted experiments and runs
  --no-artifacts                Copy no artifact files
  --no-registry                 Leave out the model registry
  --source-id ID                Source name in the runlens.copy.source tags (default: derived
                                from its location)
  --quiet                       Print the summary only
  -h, --help                    Show this help

Exit status: 0 when everything was copied, 1 when something failed (see the summary), 2 for
usage errors, 130 when interrupted.`;

const KIND_LABELS: Record<CopyKind, string> = {
  experiments: 'experiments',
  runs: 'runs',
  loggedModels: 'logged models',
  registeredModels: 'registered models',
  modelVersions: 'model versions',
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function countsLine(p: CopyProgress): string {
  const c = p.counts;
  return `[runs ${c.runs} | metric points ${c.metricPoints.toLocaleString('en-US')} | files ${c.artifactFiles} (${formatBytes(c.artifactBytes)})]`;
}

/** The end-of-copy report: a table of copied / skipped / failed per kind, totals, failures and notes. */
export function formatSummary(result: CopyBetweenResult): string {
  const lines = [
    `${result.cancelled ? 'Cancelled copy' : 'Copied'} from ${result.source} to ${result.destination} in ${(result.durationMs / 1000).toFixed(1)} s (source id ${result.sourceId})`,
    `${''.padEnd(18)}${'copied'.padStart(8)}${'skipped'.padStart(9)}${'failed'.padStart(8)}`,
  ];
  for (const kind of COPY_KINDS) {
    const k = result.kinds[kind];
    lines.push(`${KIND_LABELS[kind].padEnd(18)}${String(k.copied).padStart(8)}${String(k.skipped).padStart(9)}${String(k.failed).padStart(8)}`);
  }
  const c = result.counts;
  lines.push(`metric points ${c.metricPoints.toLocaleString('en-US')}, artifact files ${c.artifactFiles} (${formatBytes(c.artifactBytes)})`);
  if (result.failures.length > 0) {
    lines.push('Failures:');
    for (const f of result.failures) lines.push(`  ${f.what}: ${f.message}`);
  }
  if (result.notes.length > 0) {
    lines.push('Notes:');
    for (const n of result.notes) lines.push(`  ${n}`);
  }
  if (result.cancelled) lines.push('Run the same command again to resume.');
  return lines.join('\n');
}

export async function runCopyCommand(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        'from-artifacts': { type: 'string' },
        'to-artifacts': { type: 'string' },
        'to-read-write': { type: 'boolean', default: false },
        experiment: { type: 'string', multiple: true },
        'skip-deleted': { type: 'boolean', default: false },
        'no-artifacts': { type: 'boolean', default: false },
        'no-registry': { type: 'boolean', default: false },
        'source-id': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`runlens copy: ${(e as Error).message}\n\n${COPY_HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(COPY_HELP);
    return 0;
  }
  if (!values.from || !values.to) {
    console.error(`runlens copy: both --from and --to are required\n\n${COPY_HELP}`);
    return 2;
  }
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = (signal: string) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`[runlens] ${signal}: stopping the copy after the current request...`);
    controller.abort();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  let lastVolumeLine = 0;
  const quiet = values.quiet;
  try {
    const result = await copyBetweenStores(values.from, values.to, {
      fromArtifacts: values['from-artifacts'],
      toArtifacts: values['to-artifacts'],
      writeForeign: values['to-read-write'],
      experimentNames: values.experiment,
      includeDeleted: !values['skip-deleted'],
      artifacts: !values['no-artifacts'],
      registry: !values['no-registry'],
      sourceId: values['source-id'],
      signal: controller.signal,
      onOpened: (s, d) => quiet || console.log(`Copying ${s.description} → ${d.description}`),
      onProgress: (p) => {
        if (quiet || p.phase === 'start' || p.phase === 'done') return;
        if (p.phase === 'metrics' || p.phase === 'artifacts') {
          if (performance.now() - lastVolumeLine < 2000) return;
          lastVolumeLine = performance.now();
          console.log(`${countsLine(p)} …`);
          return;
        }
        console.log(`${countsLine(p)} ${p.message}`);
      },
    });
    console.log(formatSummary(result));
    if (result.cancelled) return 130;
    return result.failures.length > 0 ? 1 : 0;
  } catch (e) {
    if (interrupted) {
      console.error('runlens copy: cancelled. Run the same command again to resume.');
      return 130;
    }
    console.error(`runlens copy: ${(e as Error).message}`);
    return 1;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
