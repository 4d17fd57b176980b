import * as vscode from 'vscode';
import type { ServerController } from './serverController';

const SETTING = 'runlens.terminal.setTrackingUri';

/**
 * New integrated terminals get MLFLOW_TRACKING_URI of the embedded server, so `python train.py`
 * logs to Runlens. The server is started in the background for that, once activation is done.
 */
export function registerTerminalEnvironment(context: vscode.ExtensionContext, server: ServerController): void {
  const env = context.environmentVariableCollection;
  env.description = 'MLFLOW_TRACKING_URI of the Runlens tracking server';
  const enabled = () => vscode.workspace.getConfiguration().get<boolean>(SETTING, true);
  const apply = () => {
    if (enabled() && server.url && server.state === 'running') env.replace('MLFLOW_TRACKING_URI', server.url);
    else env.delete('MLFLOW_TRACKING_URI');
  };
  context.subscriptions.push(server.onDidChangeState(apply));
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
