import * as vscode from 'vscode';
import type { RunStatus } from '../../core/entities';
import { artifactUriPath, ARTIFACT_SCHEME } from '../../core/explorer/artifactLocation';
import { formatBytes, formatDuration, formatMetricValue, formatRelativeTime } from '../../core/explorer/format';
import { RUN_PAGE_SIZE } from '../../core/explorer/runPaging';
import { chooseHeadlineMetric, describeRun, PRIMARY_METRIC_TAG } from '../../core/explorer/runSummary';
import { Commands } from './ids';
import type { ArtifactNode, ConnectionNode, EntryNode, ExperimentNode, GroupNode, LoadMoreNode, MessageNode, Node, RunNode } from './nodes';

const { Collapsed, None } = vscode.TreeItemCollapsibleState;

const STATUS_ICONS: Record<RunStatus, [string, string]> = {
  RUNNING: ['sync~spin', 'charts.blue'],
  SCHEDULED: ['clock', 'charts.yellow'],
  FINISHED: ['pass', 'testing.iconPassed'],
  FAILED: ['error', 'testing.iconFailed'],
  KILLED: ['circle-slash', 'charts.orange'],
};

const GROUP_LABELS = { params: 'Parameters', metrics: 'Metrics', tags: 'Tags', artifacts: 'Artifacts' } as const;
const GROUP_ICONS = { params: 'symbol-parameter', metrics: 'graph-line', tags: 'tag', artifacts: 'package' } as const;

/** The `runlens-artifact:` URI of an artifact of a run of a connection (the embedded store's without one). */
export function artifactResourceUri(runId: string, path: string, connectionId?: string): vscode.Uri {
  return vscode.Uri.from({ scheme: ARTIFACT_SCHEME, path: artifactUriPath(runId, path, connectionId) });
}

function icon(id: string, color?: string): vscode.ThemeIcon {
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

function oneLine(text: string, max = 80): string {
  const lines = text.split(/\r?\n/);
  const first = lines[0];
  if (first.length > max) return `${first.slice(0, max - 1)}…`;
  return lines.length > 1 ? `${first} …` : first;
}

function time(ms: number | undefined): string {
  return ms ? new Date(ms).toLocaleString() : '—';
}

const CONNECTION_ICONS = { embedded: 'home', sqlite: 'database', mlruns: 'file-directory', remote: 'cloud' } as const;
const CONNECTION_KINDS = { embedded: 'embedded store', sqlite: 'MLflow database', mlruns: 'MLflow file store', remote: 'tracking server' } as const;

function connectionItem(node: ConnectionNode): vscode.TreeItem {
  const c = node.connection;
  const item = new vscode.TreeItem(c.label, node.embedded ? vscode.TreeItemCollapsibleState.Expanded : Collapsed);
  item.id = node.id;
  item.description = [node.active ? 'active' : undefined, c.kind === 'remote' ? c.uri : undefined, c.source ? `from ${c.source}` : undefined].filter(Boolean).join(' · ') || undefined;
  item.iconPath = icon(CONNECTION_ICONS[c.kind], node.active ? 'charts.green' : undefined);
  item.contextValue = `connection.${c.kind}${c.id.startsWith('remote:') ? '.user' : ''}${node.active ? '.active' : '.inactive'}`;
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**').appendText(c.label).appendMarkdown(`** — ${CONNECTION_KINDS[c.kind]}${node.active ? ' _(active)_' : ''}`);
  md.appendMarkdown('\n\n').appendText(c.uri);
  if (c.kind === 'remote') md.appendMarkdown(`\n\nAuthentication: ${c.auth}${c.username ? ` (${c.username})` : ''}${c.insecure ? '\n\nTLS verification off' : c.caFile ? `\n\nCA file: ${c.caFile}` : ''}`);
  if (c.kind === 'sqlite' || c.kind === 'mlruns') md.appendMarkdown('\n\nServed read-only by its own Runlens server.');
  if (c.source) md.appendMarkdown(`\n\nFound in ${c.source}`);
  item.tooltip = md;
  return item;
}

function experimentItem(node: ExperimentNode, now: number): vscode.TreeItem {
  const e = node.experiment;
  const item = new vscode.TreeItem(e.name, Collapsed);
  item.id = node.id;
  item.description = node.deleted ? 'deleted' : undefined;
  item.iconPath = node.deleted ? icon('trash', 'disabledForeground') : icon('beaker');
  // Nodes of read-only connections (stores found in the workspace) offer no editing commands.
  item.contextValue = !node.writable ? 'experiment.other' : node.deleted ? 'experiment.deleted' : 'experiment.active';
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**').appendText(e.name).appendMarkdown('**');
  if (node.deleted) md.appendMarkdown(' _(deleted)_');
  md.appendMarkdown(`\n\nID: \`${e.experiment_id}\``);
  if (e.creation_time) md.appendMarkdown(`\n\nCreated: ${time(e.creation_time)} (${formatRelativeTime(e.creation_time, now)})`);
  if (e.artifact_location) md.appendMarkdown('\n\nArtifacts: ').appendText(e.artifact_location);
  const primary = e.tags?.find((t) => t.key === PRIMARY_METRIC_TAG)?.value;
  if (primary) md.appendMarkdown('\n\nPrimary metric: ').appendText(primary);
  const note = e.tags?.find((t) => t.key === 'mlflow.note.content')?.value;
  if (note) md.appendMarkdown('\n\n').appendText(note);
  item.tooltip = md;
  return item;
}

function runItem(node: RunNode, now: number): vscode.TreeItem {
  const { info, data } = node.run;
  const item = new vscode.TreeItem(info.run_name || info.run_id.slice(0, 8), Collapsed);
  item.id = node.id;
  const tags = node.parent.experiment.tags;
  const summary = describeRun(info.start_time, data.metrics, tags, now);
  item.description = node.deleted ? ['deleted', summary].filter(Boolean).join(' · ') : summary;
  const [iconId, color] = STATUS_ICONS[info.status] ?? ['circle-outline', 'foreground'];
  item.iconPath = node.deleted ? icon('trash', 'disabledForeground') : icon(iconId, color);
  item.contextValue = !node.parent.writable ? 'run.other' : node.deleted ? 'run.deleted' : 'run.active';
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**').appendText(info.run_name || info.run_id).appendMarkdown(`** — ${info.status}${node.deleted ? ' _(deleted)_' : ''}`);
  md.appendMarkdown(`\n\nRun ID: \`${info.run_id}\``);
  md.appendMarkdown(`\n\nStarted: ${time(info.start_time)} (${formatRelativeTime(info.start_time, now) || 'unknown'})`);
  const duration = formatDuration(info.end_time && info.start_time ? info.end_time - info.start_time : info.status === 'RUNNING' && info.start_time ? now - info.start_time : undefined);
  if (duration) md.appendMarkdown(`\n\nDuration: ${duration}`);
  if (info.user_id) md.appendMarkdown('\n\nUser: ').appendText(info.user_id);
  const headline = chooseHeadlineMetric(data.metrics, tags);
  if (headline) md.appendMarkdown('\n\n').appendText(`${headline.key}: ${formatMetricValue(headline.value)}`);
  const parent = data.tags?.find((t) => t.key === 'mlflow.parentRunId')?.value;
  if (parent) md.appendMarkdown(`\n\nParent run: \`${parent}\``);
  item.tooltip = md;
  return item;
}

function groupItem(node: GroupNode): vscode.TreeItem {
  const data = node.parent.run.data;
  const count = node.group === 'artifacts' ? undefined : (data[node.group]?.length ?? 0);
  const item = new vscode.TreeItem(GROUP_LABELS[node.group], count === 0 ? None : Collapsed);
  item.id = node.id;
  item.description = count === undefined ? undefined : String(count);
  item.iconPath = icon(GROUP_ICONS[node.group]);
  item.contextValue = `group.${node.group}`;
  return item;
}

function entryItem(node: EntryNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.key, None);
  item.id = node.id;
  item.description = oneLine(node.value);
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**').appendText(node.key).appendMarkdown('**\n\n');
  md.appendCodeblock(node.value, 'text');
  if (node.detail) md.appendMarkdown('\n\n').appendText(node.detail);
  item.tooltip = md;
  item.contextValue = `entry.${node.parent.group}`;
  return item;
}

function artifactItem(node: ArtifactNode): vscode.TreeItem {
  const { file } = node;
  const item = new vscode.TreeItem(node.name, file.is_dir ? Collapsed : None);
  item.id = node.id;
  // The artifact file system reads every connection's artifacts (through its own client).
  item.resourceUri = artifactResourceUri(node.runId, file.path, node.run.parent.connectionId);
  item.iconPath = file.is_dir ? vscode.ThemeIcon.Folder : vscode.ThemeIcon.File;
  item.contextValue = file.is_dir ? 'artifact.folder' : 'artifact.file';
  if (!file.is_dir) {
    item.description = formatBytes(file.file_size);
    item.tooltip = `${file.path}${file.file_size !== undefined ? ` — ${formatBytes(file.file_size)}` : ''}`;
    item.command = { command: Commands.openArtifact, title: 'Open Artifact', arguments: [node] };
  } else {
    item.tooltip = file.path;
  }
  return item;
}

function loadMoreItem(node: LoadMoreNode): vscode.TreeItem {
  const shown = node.parent.runs.value?.runs.length ?? 0;
  const item = new vscode.TreeItem(node.parent.loadingMore ? 'Loading more runs…' : 'Load more runs…', None);
  item.id = node.id;
  item.description = `${shown} shown, next ${RUN_PAGE_SIZE}`;
  item.iconPath = icon(node.parent.loadingMore ? 'loading~spin' : 'ellipsis');
  item.contextValue = 'loadMore';
  item.command = { command: Commands.loadMore, title: 'Load More Runs', arguments: [node] };
  return item;
}

function messageItem(node: MessageNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.text, None);
  item.id = node.id;
  item.tooltip = node.action ? `${node.text}\n\nClick to ${node.action.title.toLowerCase()}.` : node.text;
  item.iconPath = node.severity === 'error' ? icon('error', 'errorForeground') : icon('info');
  item.contextValue = `message.${node.severity}`;
  if (node.action) {
    item.description = node.action.title;
    item.command = { command: node.action.command, title: node.action.title, arguments: node.action.arguments ?? [node] };
  }
  return item;
}

/** How a node is shown; `now` makes relative times deterministic within one render. */
export function toTreeItem(node: Node, now = Date.now()): vscode.TreeItem {
  switch (node.kind) {
    case 'connection':
      return connectionItem(node);
    case 'experiment':
      return experimentItem(node, now);
    case 'run':
      return runItem(node, now);
    case 'group':
      return groupItem(node);
    case 'entry':
      return entryItem(node);
    case 'artifact':
      return artifactItem(node);
    case 'loadMore':
      return loadMoreItem(node);
    case 'message':
      return messageItem(node);
  }
}
