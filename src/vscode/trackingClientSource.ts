import type * as vscode from 'vscode';
import type { MlflowClient } from '../core/client/mlflowClient';

/** Where views and commands get the client of the active tracking store. */
export interface TrackingClientSource {
  /** The client of the active store; starts the embedded server on first need. */
  getClient(): Promise<MlflowClient>;
  /** Fires when the client changes (server restarted on another port, another store chosen). */
  readonly onDidChangeClient: vscode.Event<void>;
}
