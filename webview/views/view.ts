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

/**
 * What the views share: the theme and whether their tab is shown. A new theme redraws; a hidden
 * view does not draw, and draws once when shown. Each view says how it draws (`render`).
 */
export abstract class TabView implements View {
  abstract readonly element: HTMLElement;
  abstract readonly tab: Tab;

  constructor(
    protected theme: Theme,
    protected visible = false,
  ) {}

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.render();
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) this.render();
  }

  abstract setNetwork(network: NetworkView): void;

  /** Draws the view with its current data and theme. */
  protected abstract render(): void;
}
