// The Machines view: maps the store's node models to TreeItems, reveals a machine on request (from the panel), and
// reports the machine the user selects (to the panel). The model and its rules live in machinesStore/treeModel.
import * as vscode from 'vscode';
import { ContextKey, setContext } from '../../platform/contextKeys';
import { DEMO_NOTICE } from '../hover/hoverContent';
import { localize } from '../hover/hoverProvider';
import type { DefenderSession } from '../session/defenderSession';
import type { MachineActivity, TalkedToSource } from './machineActivity';
import type { MachinesStore } from './machinesStore';
import { childrenOf, findMachineNode, parentOf, type AnnotationOf, type TreeNodeModel } from './treeModel';
import type { TreeSection } from './treeSection';

export const MACHINES_VIEW_ID = 'ipInvestigator.machines';

/** A rendered node of the view, as the workbench receives it (for diagnostics and the integration suite). */
export interface RenderedNode {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  icon?: string;
  contextValue?: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  children?: RenderedNode[];
}

export interface MachinesTree extends vscode.Disposable {
  readonly view: vscode.TreeView<TreeNodeModel>;
  /** Selects and shows a machine under an address (expanding the address). */
  reveal(ip: string, machineId: string): Promise<void>;
  /** The user selected a machine in the view. */
  readonly onDidSelectMachine: vscode.Event<{ ip: string; machineId: string }>;
  refresh(): void;
  /** The view's items down to `depth` levels, through the same provider calls the workbench makes. */
  render(depth: number): RenderedNode[];
}

class MachinesTreeProvider implements vscode.TreeDataProvider<TreeNodeModel> {
  private readonly emitter = new vscode.EventEmitter<TreeNodeModel | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  /** The remote addresses of machines as the tree reads them: the workbench's own calls may start a load, render() may not. */
  private readonly loading: TalkedToSource | undefined;
  private readonly reading: TalkedToSource | undefined;

  constructor(
    private readonly store: MachinesStore,
    private readonly sections: readonly TreeSection[] = [],
    activity?: MachineActivity,
    private readonly annotationOf?: AnnotationOf,
  ) {
    this.loading = activity;
    this.reading = activity ? { entry: (id, lookback) => activity.entry(id, lookback) } : undefined;
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  getTreeItem(node: TreeNodeModel): vscode.TreeItem {
    const state =
      node.collapsible === 'expanded'
        ? vscode.TreeItemCollapsibleState.Expanded
        : node.collapsible === 'collapsed'
          ? vscode.TreeItemCollapsibleState.Collapsed
          : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(node.label, state);
    item.id = node.id;
    if (node.description) item.description = node.description;
    if (node.tooltip) {
      // API text in the tooltip is escaped; no command links and no HTML are trusted here.
      const md = new vscode.MarkdownString(node.tooltip, true);
      md.isTrusted = false;
      md.supportHtml = false;
      item.tooltip = md;
    }
    if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon.id, node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined);
    item.contextValue = node.contextValue;
    item.accessibilityInformation = { label: node.accessibilityLabel };
    if (node.command) item.command = node.command;
    return item;
  }

  getChildren(node?: TreeNodeModel): TreeNodeModel[] {
    return this.childrenFor(node, this.loading);
  }

  /** Children without starting any lookup (diagnostics and the integration suite read the view this way). */
  childrenFor(node: TreeNodeModel | undefined, activity: TalkedToSource | undefined = this.reading): TreeNodeModel[] {
    if (!node) {
      const above = this.sections.filter((s) => s.position !== 'below').flatMap((s) => s.roots());
      const below = this.sections.filter((s) => s.position === 'below').flatMap((s) => s.roots());
      return [...above, ...childrenOf(this.store, undefined, Date.now(), localize, activity, this.annotationOf), ...below];
    }
    const section = this.sections.find((s) => s.owns(node));
    if (section) return section.children(node);
    return childrenOf(this.store, node, Date.now(), localize, activity, this.annotationOf);
  }

  getParent(node: TreeNodeModel): TreeNodeModel | undefined {
    const section = this.sections.find((s) => s.owns(node));
    if (section) return section.parent(node);
    return parentOf(this.store, node, Date.now(), localize, this.reading, this.annotationOf);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

export function registerTree(
  context: vscode.ExtensionContext,
  deps: { store: MachinesStore; session: DefenderSession; sections?: readonly TreeSection[]; activity?: MachineActivity; annotationOf?: AnnotationOf },
): MachinesTree {
  const provider = new MachinesTreeProvider(deps.store, deps.sections, deps.activity, deps.annotationOf);
  const view = vscode.window.createTreeView(MACHINES_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  const selected = new vscode.EventEmitter<{ ip: string; machineId: string }>();
  // A selection we made by revealing (at the panel's request) is not reported back to the panel.
  let revealedId: string | undefined;
  const describe = () => {
    view.description = deps.session.isDemo ? localize(DEMO_NOTICE) : undefined;
  };
  describe();
  setContext(ContextKey.hasMachines, deps.store.entries().length > 0);
  const disposables: vscode.Disposable[] = [
    view,
    provider,
    selected,
    deps.store.onDidChange(() => {
      provider.refresh();
      setContext(ContextKey.hasMachines, deps.store.entries().length > 0);
    }),
    deps.session.onDidChangeState(describe),
    ...(deps.sections ?? []).map((s) => s.onDidChange(() => provider.refresh())),
    ...(deps.activity ? [deps.activity.onDidChange(() => provider.refresh())] : []),
    view.onDidChangeSelection((e) => {
      const node = e.selection[0];
      if (node?.id === revealedId) {
        revealedId = undefined;
        return;
      }
      if (node?.kind === 'machine' && node.machineId) selected.fire({ ip: node.ip, machineId: node.machineId });
    }),
  ];
  const tree: MachinesTree = {
    view,
    onDidSelectMachine: selected.event,
    refresh: () => provider.refresh(),
    render: (depth) => render(provider, undefined, depth),
    reveal: async (ip, machineId) => {
      const node = findMachineNode(deps.store, ip, machineId, Date.now(), localize);
      if (!node) return;
      revealedId = view.selection[0]?.id === node.id ? undefined : node.id;
      await view.reveal(node, { select: true, focus: false, expand: false });
    },
    dispose: () => {
      for (const d of disposables) d.dispose();
    },
  };
  context.subscriptions.push(tree);
  return tree;
}

function render(provider: MachinesTreeProvider, node: TreeNodeModel | undefined, depth: number): RenderedNode[] {
  if (depth <= 0) return [];
  return provider.childrenFor(node).map((child) => {
    const item = provider.getTreeItem(child);
    const state = item.collapsibleState === vscode.TreeItemCollapsibleState.Expanded ? 'expanded' : item.collapsibleState === vscode.TreeItemCollapsibleState.Collapsed ? 'collapsed' : 'none';
    return {
      id: child.id,
      label: typeof item.label === 'string' ? item.label : (item.label?.label ?? ''),
      ...(typeof item.description === 'string' ? { description: item.description } : {}),
      ...(item.tooltip instanceof vscode.MarkdownString ? { tooltip: item.tooltip.value } : {}),
      ...(item.iconPath instanceof vscode.ThemeIcon ? { icon: item.iconPath.id } : {}),
      ...(item.contextValue ? { contextValue: item.contextValue } : {}),
      collapsible: state,
      ...(state !== 'none' && depth > 1 ? { children: render(provider, child, depth - 1) } : {}),
    };
  });
}
