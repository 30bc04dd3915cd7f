/**
 * The `backprop` debugger in VS Code: the inline adapter factory, the launch configurations (F5
 * on a `.net.json` works with no launch.json), the command "Backprop: Debug Training" and its
 * CodeLens, and inline values next to each layer while stopped. Every registration goes into
 * `context.subscriptions`.
 */
import * as vscode from 'vscode';
import { NET_SELECTOR, isNetUri } from '../config';
import { RESTRICTED_MESSAGE, allowOutsideData, guarded, isTrusted } from '../trust';
import type { RunRecord } from '../../engine/runs';
import { DebugFollow } from './follow';
import { BackpropDebugSession } from './session';

export const DEBUG_TYPE = 'backprop';
export const DEBUG_COMMAND = 'backprop.debugTraining';
export const HEATMAP_COMMAND = 'backprop.debug.openAsHeatmap';

/** What "Open as Heatmap" is given by the Variables view: the session and the variable. */
function heatmapArgument(arg: unknown): { sessionId: string; variablesReference: number; name: string } | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const { sessionId, variable } = arg as { sessionId?: unknown; variable?: unknown };
  if (typeof sessionId !== 'string' || typeof variable !== 'object' || variable === null) return undefined;
  const { variablesReference, name } = variable as { variablesReference?: unknown; name?: unknown };
  if (typeof variablesReference !== 'number' || typeof name !== 'string') return undefined;
  return { sessionId, variablesReference, name };
}

export interface DebuggerWiring {
  /** What the inspector follows of the debugger. */
  follow: DebugFollow;
  /** Keeps the record of a debug run when its session ends (the Runs store). */
  record?: (uri: vscode.Uri, record: RunRecord) => Promise<unknown>;
  /** Whether debug runs are recorded now (`backprop.runs.record`); absent: always. */
  recording?: () => boolean;
}

/** The Debug lens shown with the others at the top of a `.net.json` (see editor/lens.ts). */
export function debugLensCommand(uri: vscode.Uri): vscode.Command {
  return { title: '$(debug-alt) Debug', command: DEBUG_COMMAND, tooltip: 'Debug training: breakpoints on layers, step batch by batch and stage by stage, inspect every matrix', arguments: [uri] };
}

function launchConfig(uri: vscode.Uri): vscode.DebugConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name: `Debug training: ${uri.path.split('/').pop() ?? ''}`, program: uri.fsPath, stopOnEntry: false };
}

export function registerDebugger(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, wiring: DebuggerWiring): void {
  const workerPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'debugWorker.js').fsPath;
  const sessions = new Map<string, BackpropDebugSession>();

  const factory: vscode.DebugAdapterDescriptorFactory = {
    createDebugAdapterDescriptor(session) {
      const adapter = new BackpropDebugSession(workerPath);
      sessions.set(session.id, adapter);
      wiring.follow.attach(adapter);
      const record = wiring.record;
      if (record !== undefined) {
        // when the session ends, while its worker still holds the run: the run for the Runs store
        adapter.beforeEnd = async () => {
          // (making the record replays the whole run in the worker, and the session's end waits for it)
          if (adapter.file === '' || wiring.recording?.() === false) return;
          try {
            const r = await adapter.record();
            if (r !== undefined) await record(vscode.Uri.file(adapter.file), r);
          } catch (e) {
            log.warn(`debugger: the run was not recorded: ${e instanceof Error ? e.message : String(e)}`);
          }
        };
      }
      return new vscode.DebugAdapterInlineImplementation(adapter);
    },
  };

  const provider: vscode.DebugConfigurationProvider = {
    provideDebugConfigurations() {
      const uri = vscode.window.activeTextEditor?.document.uri;
      return [uri !== undefined && isNetUri(uri) ? launchConfig(uri) : { type: DEBUG_TYPE, request: 'launch', name: 'Debug training', program: '${file}', stopOnEntry: false }];
    },
    resolveDebugConfiguration(_folder, config) {
      if (!isTrusted()) {
        // the run reads the data files the network names: not in Restricted Mode
        void vscode.window.showWarningMessage(RESTRICTED_MESSAGE);
        return undefined;
      }
      if (!config.type && !config.request && !config.name) {
        // F5 with no launch.json: debug the active .net.json
        const uri = vscode.window.activeTextEditor?.document.uri;
        if (uri === undefined || !isNetUri(uri)) {
          void vscode.window.showInformationMessage('Open a .net.json file to debug its training.');
          return undefined;
        }
        return launchConfig(uri);
      }
      if (typeof config.program !== 'string' || config.program === '') {
        const uri = vscode.window.activeTextEditor?.document.uri;
        if (uri !== undefined && isNetUri(uri)) config.program = uri.fsPath;
      }
      return config;
    },
    resolveDebugConfigurationWithSubstitutedVariables(_folder, config) {
      // as the training session does: the setting decides (trusted workspace only), never launch.json
      const program = typeof config.program === 'string' && config.program !== '' ? vscode.Uri.file(config.program) : undefined;
      config.allowOutsideData = program !== undefined && allowOutsideData(program);
      return config;
    },
  };

  const dynamic: vscode.DebugConfigurationProvider = {
    provideDebugConfigurations() {
      const uris = new Map<string, vscode.Uri>();
      for (const doc of vscode.workspace.textDocuments) if (isNetUri(doc.uri)) uris.set(doc.uri.toString(), doc.uri);
      return [...uris.values()].map(launchConfig);
    },
  };

  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, factory),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider, vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, dynamic, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.onDidTerminateDebugSession((s) => sessions.delete(s.id)),
    vscode.commands.registerCommand(DEBUG_COMMAND, guarded(DEBUG_COMMAND, async (arg?: unknown) => {
      const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
      if (uri === undefined || !isNetUri(uri)) {
        void vscode.window.showInformationMessage('Open a .net.json file to debug its training.');
        return false;
      }
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (doc?.isDirty) await doc.save();
      log.info(`debugging ${uri.fsPath}`);
      return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), launchConfig(uri));
    })),
    // Variables > right-click a matrix or vector > Open as Heatmap (package.json: debug/variables/context)
    vscode.commands.registerCommand(HEATMAP_COMMAND, async (arg?: unknown) => {
      const a = heatmapArgument(arg);
      const adapter = a === undefined ? undefined : sessions.get(a.sessionId);
      if (a === undefined || adapter === undefined) {
        void vscode.window.showInformationMessage('Open as Heatmap works on a matrix or vector in the Variables of a stopped Backprop debug session.');
        return false;
      }
      try {
        await wiring.follow.openHeatmap(adapter, a.variablesReference, a.name);
        return true;
      } catch (e) {
        void vscode.window.showWarningMessage(e instanceof Error ? e.message : String(e));
        return false;
      }
    }),
    vscode.languages.registerInlineValuesProvider(NET_SELECTOR, {
      async provideInlineValues(doc) {
        const active = vscode.debug.activeDebugSession;
        const adapter = active?.type === DEBUG_TYPE ? sessions.get(active.id) : undefined;
        if (adapter === undefined) return [];
        const values = await adapter.inlineValues().catch(() => []);
        return values
          .filter((v) => v.line - 1 < doc.lineCount)
          .map((v) => {
            const line = doc.lineAt(v.line - 1);
            return new vscode.InlineValueText(new vscode.Range(line.range.end, line.range.end), v.text);
          });
      },
    }),
  );
}
