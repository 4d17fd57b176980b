/** How the Experiments view opens an artifact: which kind of editor, and whether to ask first. */
import { formatBytes } from './format';

export type ArtifactKind = 'text' | 'json' | 'yaml' | 'csv' | 'markdown' | 'image' | 'other';

const BY_EXTENSION: Record<string, ArtifactKind> = {
  txt: 'text', log: 'text', py: 'text', cfg: 'text', ini: 'text', toml: 'text', conf: 'text', sh: 'text', xml: 'text', html: 'text', rst: 'text', err: 'text', out: 'text',
  json: 'json', jsonl: 'json', ipynb: 'json',
  yaml: 'yaml', yml: 'yaml',
  csv: 'csv', tsv: 'csv',
  md: 'markdown', markdown: 'markdown',
  png: 'image', jpg: 'image', jpeg: 'image', gif: 'image', bmp: 'image', webp: 'image', svg: 'image', ico: 'image',
};

/** MLflow's extension-less text files. */
const TEXT_NAMES = new Set(['MLmodel', 'MLproject', 'requirements.txt', 'LICENSE', 'README']);

/** The kind of an artifact by its file name: `model/MLmodel` → yaml-like text, `plot.png` → image, `model.pkl` → other. */
export function artifactKind(path: string): ArtifactKind {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (name === 'MLmodel' || name === 'MLproject') return 'yaml';
  if (TEXT_NAMES.has(name)) return 'text';
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return 'other';
  return BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? 'other';
}

export interface PreviewDecision {
  kind: ArtifactKind;
  /** True when the file is larger than the preview limit (or the limit is 0) and the user should confirm. */
  confirm: boolean;
  /** Why confirmation is asked, for the prompt. */
  reason?: string;
}

const MIB = 1024 * 1024;

/**
 * Whether opening `path` (of `fileSize` bytes, from the artifact listing) needs the user's consent:
 * above `maxPreviewMB` megabytes it does; a limit of 0 asks for every file. An unknown size opens directly.
 */
export function decideArtifactPreview(path: string, fileSize: number | undefined, maxPreviewMB: number): PreviewDecision {
  const kind = artifactKind(path);
  if (fileSize === undefined || !Number.isFinite(fileSize)) return { kind, confirm: false };
  const limit = Math.max(0, maxPreviewMB) * MIB;
  if (limit > 0 && fileSize <= limit) return { kind, confirm: false };
  if (limit === 0 && fileSize === 0) return { kind, confirm: false };
  const name = path.slice(path.lastIndexOf('/') + 1);
  return {
    kind,
    confirm: true,
    reason: `"${name}" is ${formatBytes(fileSize)}, above the preview limit of ${Math.max(0, maxPreviewMB)} MB. It is downloaded in full to open it.`,
  };
}
