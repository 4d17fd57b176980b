import type { FileInfo } from '../../core/client/mlflowClient';
import { ArtifactNode, EntryNode, type GroupNode } from './nodes';

/** A run's params, metrics (latest values) or tags as entries; user tags before `mlflow.*` ones. */
export function entryChildren(group: GroupNode): EntryNode[] {
  const { data } = group.parent.run;
  switch (group.group) {
    case 'params':
      return [...(data.params ?? [])].sort((a, b) => a.key.localeCompare(b.key)).map((p) => new EntryNode(group, p.key, p.value));
    case 'metrics':
      return [...(data.metrics ?? [])]
        .sort((a, b) => a.key.localeCompare(b.key))
        .map((m) => new EntryNode(group, m.key, String(m.value), `Latest value at step ${m.step}, logged ${new Date(m.timestamp).toLocaleString()}`));
    case 'tags': {
      const system = (key: string) => (key.startsWith('mlflow.') ? 1 : 0);
      return [...(data.tags ?? [])]
        .sort((a, b) => system(a.key) - system(b.key) || a.key.localeCompare(b.key))
        .map((t) => new EntryNode(group, t.key, t.value));
    }
    case 'artifacts':
      return [];
  }
}

/** Artifact entries of one folder level: folders first, then files, each alphabetically. */
export function artifactChildren(parent: GroupNode | ArtifactNode, runId: string, files: readonly FileInfo[]): ArtifactNode[] {
  return [...files]
    .sort((a, b) => Number(b.is_dir) - Number(a.is_dir) || a.path.localeCompare(b.path))
    .map((f) => new ArtifactNode(parent, runId, f));
}
