import * as vscode from 'vscode';
import type { ServerController } from './serverController';

/** Shows the active store and the server's URL; a click opens the server menu. */
export class ServerStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('runlens.server', vscode.StatusBarAlignment.Left, 10);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly server: ServerController) {
    this.item.name = 'Runlens tracking server';
    this.item.command = 'runlens.server.menu';
    this.subscription = server.onDidChangeState(() => this.update());
    this.update();
    if (server.folder) this.item.show();
  }

  private update(): void {
    const { state, url } = this.server;
    const icon = state === 'running' ? '$(pulse)' : state === 'starting' ? '$(loading~spin)' : state === 'failed' ? '$(warning)' : '$(circle-slash)';
    this.item.text = `${icon} Runlens`;
    const store = this.server.storeDir ?? 'no folder open';
    this.item.tooltip = new vscode.MarkdownString(
      `**Runlens** — ${state}\n\nStore: \`${store}\`${url ? `\n\nTracking URI: \`${url}\`` : ''}\n\nClick for server actions.`,
    );
    this.item.backgroundColor = state === 'failed' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
