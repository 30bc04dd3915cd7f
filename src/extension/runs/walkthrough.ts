/**
 * The getting-started walkthrough's steps are completed by doing them (package.json
 * `contributes.walkthroughs`): a training run that ended, a step-through sample or a gradient check
 * asked for in the inspector, two runs compared. These set the context keys its completion events
 * wait for.
 */
import * as vscode from 'vscode';
import type { TrainingSessionApi } from '../sessionApi';

export type WalkthroughStep = 'trained' | 'steppedThrough' | 'checked' | 'compared';

export function completeStep(step: WalkthroughStep): void {
  void vscode.commands.executeCommand('setContext', `backprop.walkthrough.${step}`, true);
}

/**
 * The session as the inspector sees it, with a step-through trace and a gradient check marking
 * their walkthrough steps done; everything else is the session itself.
 */
export function walkthroughSession(session: TrainingSessionApi): TrainingSessionApi {
  return new Proxy(session, {
    get(target, key) {
      if (key === 'trace') {
        return (sample: number) => {
          completeStep('steppedThrough');
          return target.trace(sample);
        };
      }
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
