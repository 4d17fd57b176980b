import * as path from 'node:path';

/** The database path of a `sqlite:///relative` or `sqlite:////absolute` store URI (SQLAlchemy's form). */
export function sqlitePathFromUri(uri: string, cwd = process.cwd()): string | undefined {
  const match = /^sqlite:\/\/\/(.*)$/.exec(uri);
  if (!match) return undefined;
  const rest = decodeURIComponent(match[1].split('?')[0]);
  if (rest === '' || rest === ':memory:') return undefined;
  return path.isAbsolute(rest) ? rest : path.resolve(cwd, rest);
}

/**
 * The folder of an MLflow file store given as a `file:` URI or a plain path (`./mlruns`), as
 * `mlflow server --backend-store-uri` accepts it; undefined for other URIs.
 */
export function fileStoreRootFromUri(uri: string, cwd = process.cwd()): string | undefined {
  if (uri.startsWith('file:')) {
    try {
      return new URL(uri).pathname ? decodeURIComponent(new URL(uri).pathname) : undefined;
    } catch {
      return undefined;
    }
  }
  if (/^[a-zA-Z][\w+.-]*:/.test(uri)) return undefined;
  return path.resolve(cwd, uri);
}
