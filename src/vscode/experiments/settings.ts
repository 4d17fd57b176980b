import * as vscode from 'vscode';

/** Settings read by the Experiments view (declared under contributes.configuration in package.json). */
export const Settings = {
  maxPreviewMB: 'runlens.artifacts.maxPreviewMB',
  pollIntervalSeconds: 'runlens.experiments.pollIntervalSeconds',
} as const;

function readNumber(key: string, fallback: number, min: number, max: number): number {
  const value = vscode.workspace.getConfiguration().get<unknown>(key);
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

/** Artifacts above this size (MB) are opened only after the user agrees; 0 asks for every file. */
export function maxPreviewMB(): number {
  return readNumber(Settings.maxPreviewMB, 50, 0, 1_000_000);
}

/** How often running runs are refreshed while the view is visible. */
export function pollIntervalMs(): number {
  return readNumber(Settings.pollIntervalSeconds, 3, 1, 3600) * 1000;
}
