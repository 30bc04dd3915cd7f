/**
 * What every view of the inspector is to the page (`app.ts`): an element on one tab, drawn in the
 * current theme, told when its tab is shown or hidden (no drawing while hidden), and given each
 * new snapshot of the network. The page loops over its views instead of wiring each by hand.
 */
import type { NetworkView } from '../../src/shared/protocol';
import type { Tab } from '../state';
import type { Theme } from '../theme';

export interface View {
  readonly element: HTMLElement;
  /** The tab the view is on. */
  readonly tab: Tab;
  setTheme(theme: Theme): void;
  setVisible(visible: boolean): void;
  /** A new snapshot of the network (weights, gradients, last update, settings, names). */
  setNetwork(network: NetworkView): void;
}
