import type * as vscode from 'vscode';
import type { TrackingClientSource } from '../trackingClientSource';

/** The Experiments view (experiments → runs → params, metrics, tags, artifacts) and its commands. */
export function registerExperimentsView(context: vscode.ExtensionContext, source: TrackingClientSource, log: vscode.LogOutputChannel): void {
  void context;
  void source;
  void log;
}
