// Bundles the CLI (and, when present, the extension) with esbuild into dist/.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
mkdirSync('dist', { recursive: true });
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), 'dist/sql-wasm.wasm');
// SQLite for stores Runlens writes: node-sqlite3-wasm loads its wasm from beside the bundle.
copyFileSync(require.resolve('node-sqlite3-wasm/dist/node-sqlite3-wasm.wasm'), 'dist/node-sqlite3-wasm.wasm');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  external: ['sql.js/dist/sql-wasm.wasm'],
};

const builds = [esbuild.build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } })];
if (existsSync('src/extension.ts')) {
  builds.push(esbuild.build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }));
}
await Promise.all(builds);

// The empty store image new stores start from (see src/core/store/emptyStore.ts).
const maker = 'dist/.empty-store-maker.js';
await esbuild.build({ ...common, sourcemap: false, entryPoints: ['scripts/emptyStoreMain.ts'], outfile: maker });
execFileSync(process.execPath, [maker, 'dist/empty-store.db'], { stdio: 'inherit' });
rmSync(maker);
