import * as vscode from 'vscode';
import type { ConnectionManager } from '../connections/connectionManager';
import type { ServerController } from './serverController';

const SETTING = 'runlens.terminal.setTrackingUri';
const AUTH_HINT_KEY = 'runlens.connections.authHintShown';

/**
 * New integrated terminals get MLFLOW_TRACKING_URI of the active connection (by default the embedded
 * server), so `python train.py` logs there. The embedded server is started in the background for
 * that, once activation is done. Credentials never go into the (persisted) terminal environment.
 */
export function registerTerminalEnvironment(context: vscode.ExtensionContext, server: ServerController, connections?: ConnectionManager): void {
  const env = context.environmentVariableCollection;
  env.description = 'MLFLOW_TRACKING_URI of the active Runlens connection';
  const enabled = () => vscode.workspace.getConfiguration().get<boolean>(SETTING, true);
  const apply = () => {
    const active = connections?.active;
    if (enabled() && active && active.kind !== 'embedded') {
      const source = connections!.sourceFor(active.id);
      if (source.url) env.replace('MLFLOW_TRACKING_URI', source.url);
      else {
        env.delete('MLFLOW_TRACKING_URI');
        // A local store's server gets its URL once started.
        void source.getClient().then(() => source.url && connections!.active?.id === active.id && apply(), () => undefined);
      }
      if (active.kind === 'remote' && active.auth !== 'none') void authHintOnce(context);
      return;
    }
    if (enabled() && server.url && server.state === 'running') env.replace('MLFLOW_TRACKING_URI', server.url);
    else env.delete('MLFLOW_TRACKING_URI');
  };
  context.subscriptions.push(server.onDidChangeState(apply));
  if (connections) context.subscriptions.push(connections.onDidChangeActive(apply));
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SETTING)) return;
      apply();
      if (enabled() && server.folder) void server.getClient().catch(() => undefined);
    }),
  );
  if (enabled() && server.folder) {
    setTimeout(() => void server.getClient().catch(() => undefined), 0);
  }
  apply();
}

/** Terminals get the URI only: tell once how to give them the credentials. */
async function authHintOnce(context: vscode.ExtensionContext): Promise<void> {
  if (context.globalState.get(AUTH_HINT_KEY)) return;
  await context.globalState.update(AUTH_HINT_KEY, true);
  void vscode.window.showInformationMessage(
    'New terminals get MLFLOW_TRACKING_URI of the active server, but not its credentials (VS Code keeps terminal variables on disk). Set MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN in the shell, or use ~/.mlflow/credentials.',
  );
}
