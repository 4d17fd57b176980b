import * as vscode from 'vscode';
import { MlflowApiError } from '../../core/client/mlflowClient';
import type { TrackingClientSource } from '../trackingClientSource';
import type { ExperimentsTreeProvider } from './experimentsTreeProvider';
import type { Node } from './nodes';

/** What the view's commands share. */
export interface ExplorerServices {
  readonly context: vscode.ExtensionContext;
  readonly source: TrackingClientSource;
  readonly log: vscode.LogOutputChannel;
  readonly provider: ExperimentsTreeProvider;
  readonly view: vscode.TreeView<Node>;
}

/** The server's own message for MLflow errors; the message of anything else. */
export function errorMessage(e: unknown): string {
  if (e instanceof MlflowApiError) return e.message || `${e.errorCode} (HTTP ${e.status})`;
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * Registers a command owned by the extension; a failure is logged and shown with the server's
 * message, prefixed by what was being done ("Could not rename the run: …").
 */
export function registerCommand(services: ExplorerServices, id: string, failure: string, fn: (...args: unknown[]) => unknown): void {
  const command = vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await fn(...args);
    } catch (e) {
      const message = `${failure}: ${errorMessage(e)}`;
      services.log.warn(message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
  });
  services.context.subscriptions.push(command);
}

/** The node of the given kind a command was invoked on (a tree element or its id). */
export function requireNode<K extends Node['kind']>(services: ExplorerServices, target: unknown, ...kinds: K[]): Extract<Node, { kind: K }> {
  const node = services.provider.resolve(target) ?? services.view.selection[0];
  if (!node || !(kinds as string[]).includes(node.kind)) {
    throw new Error(`Select ${kinds.includes('run' as K) ? 'a run' : kinds.includes('experiment' as K) ? 'an experiment' : 'an item'} in the Experiments view first.`);
  }
  return node as Extract<Node, { kind: K }>;
}

/** Refuses changes to a node of a read-only connection (stores found in the workspace). */
export function requireWritable(node: Node): void {
  let n: Node | undefined = node;
  while (n && n.kind !== 'experiment' && n.kind !== 'connection') n = n.parent;
  const readOnly = n?.kind === 'connection' ? n.readOnly : n?.kind === 'experiment' ? !n.writable : false;
  if (readOnly) throw new Error('this store is read-only (it is served read-only by its own Runlens server); open it with MLflow to change it.');
}

/** A modal yes/no; true when the user chose `action`. */
export async function confirm(message: string, detail: string, action: string): Promise<boolean> {
  return (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;
}
