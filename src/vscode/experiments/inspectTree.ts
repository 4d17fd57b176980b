import * as vscode from 'vscode';
import { registerCommand, type ExplorerServices } from './commandSupport';
import { Commands } from './ids';
import type { Node } from './nodes';

/** A rendered tree item as plain data. */
export interface ItemSnapshot {
  id: string;
  kind: Node['kind'];
  label: string;
  description?: string;
  contextValue?: string;
  icon?: string;
  iconColor?: string;
  collapsible: boolean;
  command?: string;
}

export interface TreeSnapshot {
  /** The view's description and message (the active filter shows there). */
  description?: string;
  message?: string;
  state: string;
  items: ItemSnapshot[];
}

function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

function snapshot(services: ExplorerServices, node: Node): ItemSnapshot {
  const item = services.provider.getTreeItem(node);
  const icon = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath : undefined;
  return {
    id: node.id,
    kind: node.kind,
    label: labelOf(item),
    description: typeof item.description === 'string' ? item.description : undefined,
    contextValue: item.contextValue,
    icon: icon?.id,
    iconColor: icon?.color?.id,
    collapsible: item.collapsibleState !== vscode.TreeItemCollapsibleState.None,
    command: item.command?.command,
  };
}

/**
 * Not contributed (no palette entry): answers the children of the node reached by `path` (labels or
 * ids, from the top), rendered by the view's own provider. Extension-host tests read the tree with it.
 */
export function registerInspectTree(services: ExplorerServices): void {
  registerCommand(services, Commands.inspectTree, 'Could not inspect the Experiments view', async (path?: unknown): Promise<TreeSnapshot> => {
    const steps = Array.isArray(path) ? path.map(String) : [];
    let children = await services.provider.getChildren(undefined);
    for (const step of steps) {
      const next = children.find((n) => n.id === step || labelOf(services.provider.getTreeItem(n)) === step);
      if (!next) throw new Error(`No item "${step}" among ${children.map((n) => n.id).join(', ') || 'no items'}`);
      children = await services.provider.getChildren(next);
    }
    return {
      description: services.view.description,
      message: services.view.message,
      state: services.provider.state,
      items: children.map((n) => snapshot(services, n)),
    };
  });
}
