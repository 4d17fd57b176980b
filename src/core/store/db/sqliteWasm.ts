import type { Database } from 'node-sqlite3-wasm';

type SqliteWasmModule = { Database: typeof Database };

let loaded: SqliteWasmModule | undefined;

/**
 * SQLite compiled to WebAssembly with a VFS over `fs` (node-sqlite3-wasm): no native module, so it
 * runs in the editor's Electron Node as well. Loaded on first use — it compiles its wasm file
 * (beside the bundle in dist/, else in node_modules) synchronously.
 */
export function sqliteWasm(): SqliteWasmModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('node-sqlite3-wasm') as SqliteWasmModule;
  return loaded;
}
