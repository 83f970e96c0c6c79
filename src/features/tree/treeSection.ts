// A group of nodes another feature adds at the top of the Machines view (the triage results): it supplies its own
// roots and children, and says when they change. The view stays one tree with one provider.
import type { Disposable } from './machinesStore';
import type { TreeNodeModel } from './treeModel';

export interface TreeSection {
  /** Top-level nodes, shown above the investigated addresses (or below them: `position`); none when empty. */
  roots(): TreeNodeModel[];
  /** Where the roots go: above the investigated addresses (the default, the triage) or below them (the history). */
  position?: 'above' | 'below';
  /** True for the nodes this section built (their children and parents come from it). */
  owns(node: TreeNodeModel): boolean;
  children(node: TreeNodeModel): TreeNodeModel[];
  parent(node: TreeNodeModel): TreeNodeModel | undefined;
  onDidChange(listener: () => void): Disposable;
}
