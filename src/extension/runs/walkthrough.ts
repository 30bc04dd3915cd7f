/**
 * The getting-started walkthrough's steps are completed by doing them (package.json
 * `contributes.walkthroughs`): an example opened, a training run that ended, the inspector opened, a
 * step-through sample or a gradient check asked for in the inspector, two runs compared.
 *
 * Why the completion events alone never ticked (seen in code-server 1.139, VS Code's own
 * walkthrough service, docs/runs.md): that service is created lazily, the first time something
 * needs it (typically the Welcome page); before that nothing listens, so `onCommand:` and
 * `onContext:` events that happen earlier are lost. And a context key that is already true when the
 * service registers the walkthrough is only noted for the session, never ticked. `onCommand:` also
 * counts only commands run through the workbench (palette, CodeLens, links), not ones the extension
 * runs itself. So each step is ticked here directly with the workbench's command
 * `welcome.markStepComplete` (it creates the service, and stores the tick); the context keys stay
 * for the completion events as well.
 */
import * as vscode from 'vscode';
import type { TrainingSessionApi } from '../sessionApi';

export type WalkthroughStep = 'opened' | 'trained' | 'inspected' | 'steppedThrough' | 'checked' | 'compared';

/** package.json's walkthrough and its step ids. */
export const WALKTHROUGH_ID = 'backprop.gettingStarted';
const STEP_IDS: Record<WalkthroughStep, string> = {
  opened: 'openExample',
  trained: 'train',
  inspected: 'inspect',
  steppedThrough: 'stepThrough',
  checked: 'gradientCheck',
  compared: 'compareRuns',
};

let extensionId: string | undefined;
const done = new Set<WalkthroughStep>();

/** The extension's id (`publisher.name`), which prefixes the steps' ids in the workbench; set at activation. */
export function setWalkthroughExtension(id: string): void {
  extensionId = id;
}

/** The workbench's id of a step: `<extension id>#<walkthrough id>#<step id>`. */
export function walkthroughStepId(step: WalkthroughStep, extension: string): string {
  return `${extension}#${WALKTHROUGH_ID}#${STEP_IDS[step]}`;
}

export function completeStep(step: WalkthroughStep): void {
  void vscode.commands.executeCommand('setContext', `backprop.walkthrough.${step}`, true);
  if (extensionId === undefined || done.has(step)) return;
  done.add(step);
  // (a host without the command, or without the walkthrough: nothing to tick)
  void Promise.resolve(vscode.commands.executeCommand('welcome.markStepComplete', walkthroughStepId(step, extensionId))).catch(() => undefined);
}

/**
 * The session as the inspector sees it, with a gradient check marking its walkthrough step done
 * (a trace marks "Step through" in the inspector's controller, only when it is asked for from the
 * Backprop step by step tab); everything else is the session itself.
 */
export function walkthroughSession(session: TrainingSessionApi): TrainingSessionApi {
  return new Proxy(session, {
    get(target, key) {
      if (key === 'gradCheck') {
        return () => {
          completeStep('checked');
          return target.gradCheck();
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
