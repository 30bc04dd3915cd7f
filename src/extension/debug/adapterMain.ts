/**
 * The `backprop` debug adapter as a process of its own (bundled as `dist/debugAdapter.js`),
 * speaking the Debug Adapter Protocol on stdin/stdout: the tests drive it with DebugClient. The
 * extension runs the same session inline instead.
 */
import * as path from 'node:path';
import { DebugSession } from '@vscode/debugadapter';
import { BackpropDebugSession } from './session';

class StandaloneSession extends BackpropDebugSession {
  constructor() {
    super(path.join(__dirname, 'debugWorker.js'));
  }
}

DebugSession.run(StandaloneSession);
