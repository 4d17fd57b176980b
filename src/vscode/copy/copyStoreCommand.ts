import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Environment } from '../../core/client/mlflowEnvironment';
import { copyBetweenStores, type CopyBetweenResult } from '../../core/copy/copyBetweenStores';
import { COPY_KINDS } from '../../core/copy/copyTypes';

/** A store the user can copy from or to, as a URI `runlens copy` accepts, with its credentials. */
export interface CopyEndpoint {
  label: string;
  uri: string;
  /** MLflow client variables for a remote store (credentials come from SecretStorage). */
  env?: Environment;
}

export interface CopyStoreArgs {
  from: CopyEndpoint;
  to: CopyEndpoint;
}

/** Lists the stores offered in the pick lists (the embedded store, discovered and remote ones). */
export type CopyEndpointSource = () => Promise<CopyEndpoint[]>;

async function pick(title: string, endpoints: CopyEndpoint[], exclude?: CopyEndpoint): Promise<CopyEndpoint | undefined> {
  const items: Array<vscode.QuickPickItem & { endpoint?: CopyEndpoint }> = endpoints
    .filter((e) => e.uri !== exclude?.uri)
    .map((endpoint) => ({ label: endpoint.label, description: endpoint.uri, endpoint }));
  items.push({ label: '$(edit) Enter a store URI…', description: 'sqlite:///path/mlflow.db, path/to/mlruns or http(s)://host:port' });
  const chosen = await vscode.window.showQuickPick(items, { title });
  if (!chosen) return undefined;
  if (chosen.endpoint) return chosen.endpoint;
  const uri = await vscode.window.showInputBox({ title, prompt: 'A store URI', ignoreFocusOut: true });
  return uri ? { label: uri, uri } : undefined;
}

function summaryText(result: CopyBetweenResult): string {
  const kinds = COPY_KINDS.map((k) => `${k}: ${result.kinds[k].copied} copied, ${result.kinds[k].skipped} skipped${result.kinds[k].failed ? `, ${result.kinds[k].failed} failed` : ''}`);
  return `${result.cancelled ? 'Copy cancelled' : 'Copy finished'} (${result.counts.metricPoints} metric points, ${result.counts.artifactFiles} files). ${kinds.join('; ')}.`;
}

/**
 * `Runlens: Copy Store…`: copies experiments, runs (with full histories and artifacts) and the
 * registry from one store to another, with progress and cancellation; safe to run again.
 */
export function registerCopyStoreCommand(context: vscode.ExtensionContext, endpoints: CopyEndpointSource, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('runlens.copyStore', async (args?: CopyStoreArgs) => {
      const all = await endpoints();
      const from = args?.from ?? (await pick('Copy from which store?', all));
      if (!from) return undefined;
      const to = args?.to ?? (await pick(`Copy ${from.label} into which store?`, all, from));
      if (!to) return undefined;
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Copying ${from.label} → ${to.label}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          const cancel = token.onCancellationRequested(() => abort.abort());
          try {
            return await copyBetweenStores(from.uri, to.uri, {
              cliPath: context.asAbsolutePath(path.join('dist', 'cli.js')),
              env: { ...process.env, ...from.env, ...to.env },
              signal: abort.signal,
              onProgress: (p) => {
                log.info(`copy: ${p.message}`);
                progress.report({ message: `${p.counts.runs} runs, ${p.counts.metricPoints} points, ${p.counts.artifactFiles} files — ${p.message}` });
              },
            });
          } finally {
            cancel.dispose();
          }
        },
      );
      const text = summaryText(result);
      log.info(text);
      for (const f of result.failures) log.warn(`copy failed: ${f.what}: ${f.message}`);
      if (result.failures.length > 0) void vscode.window.showWarningMessage(`${text} ${result.failures.length} failure(s): see the log.`, 'Show Log').then((a) => a && log.show());
      else void vscode.window.showInformationMessage(text);
      return result;
    }),
  );
}
