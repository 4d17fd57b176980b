/**
 * The Content-Type of an artifact download, guessed from its file name as MLflow does: a fixed list
 * of text formats (and the extension-less MLmodel / MLproject files) is `text/plain`; otherwise
 * the common types of Python's `mimetypes` table; anything unknown is `application/octet-stream`.
 */

const TEXT_EXTENSIONS = new Set([
  'txt', 'log', 'err', 'cfg', 'conf', 'cnf', 'cf', 'ini', 'properties', 'prop', 'hocon', 'toml',
  'yaml', 'yml', 'xml', 'json', 'js', 'py', 'py3', 'csv', 'tsv', 'md', 'rst', 'MLmodel', 'MLproject',
]);

const BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  jpe: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  ico: 'image/vnd.microsoft.icon',
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  c: 'text/plain',
  h: 'text/plain',
  pdf: 'application/pdf',
  zip: 'application/zip',
  tar: 'application/x-tar',
  bin: 'application/octet-stream',
  mp3: 'audio/mpeg',
  wav: 'audio/x-wav',
  mp4: 'video/mp4',
  mpeg: 'video/mpeg',
  mov: 'video/quicktime',
  webm: 'video/webm',
  wasm: 'application/wasm',
};

/** `report/summary.md` → `text/plain`; `images/a.png` → `image/png`; `model.pkl` → `application/octet-stream`. */
export function guessMimeType(fileName: string): string {
  const name = fileName.slice(fileName.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  // Like Python's splitext: a name without an extension (MLmodel, .bashrc) is looked up whole.
  const extension = dot > 0 ? name.slice(dot + 1) : name;
  if (TEXT_EXTENSIONS.has(extension)) return 'text/plain';
  if (dot <= 0) return 'application/octet-stream';
  const lower = extension.toLowerCase();
  if (TEXT_EXTENSIONS.has(lower)) return 'text/plain';
  return BY_EXTENSION[lower] ?? 'application/octet-stream';
}
