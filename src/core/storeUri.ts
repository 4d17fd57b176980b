import * as path from 'node:path';

/** The database path of a `sqlite:///relative` or `sqlite:////absolute` store URI (SQLAlchemy's form). */
export function sqlitePathFromUri(uri: string, cwd = process.cwd()): string | undefined {
  const match = /^sqlite:\/\/\/(.*)$/.exec(uri);
  if (!match) return undefined;
  const rest = decodeURIComponent(match[1].split('?')[0]);
  if (rest === '' || rest === ':memory:') return undefined;
  return path.isAbsolute(rest) ? rest : path.resolve(cwd, rest);
}
