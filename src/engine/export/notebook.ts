/**
 * The Jupyter notebook of a network (nbformat 4.5): cells that load the data, build the model, run
 * the self-check, train and plot the loss (when matplotlib is installed), with the same code as
 * the PyTorch script (python.ts).
 */
import { constantsCode, dataCode, headerDoc, MODEL_CODE, TRAINING_CODE, type PythonExportInput } from './python';

interface Cell {
  id: string;
  cell_type: 'markdown' | 'code';
  metadata: Record<string, never>;
  source: string[];
  execution_count?: null;
  outputs?: [];
}

/** nbformat's multiline string: lines that keep their newline, the last without one. */
function lines(text: string): string[] {
  const t = text.replace(/\n+$/, '');
  return t.split('\n').map((l, i, all) => (i < all.length - 1 ? `${l}\n` : l));
}

export function toNotebook(input: PythonExportInput): string {
  const cells: Cell[] = [];
  const md = (text: string): void => {
    cells.push({ id: `cell-${cells.length + 1}`, cell_type: 'markdown', metadata: {}, source: lines(text) });
  };
  const code = (text: string): void => {
    cells.push({ id: `cell-${cells.length + 1}`, cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: lines(text) });
  };
  const [title, ...rest] = headerDoc(input, 'notebook').split('\n');
  md(`# ${title}\n${rest.join('\n')}`);
  md('## Settings, starting weights and the numbers Backprop Studio computed');
  code(constantsCode(input));
  md('## Data');
  code(`${dataCode(input)}\n\nX, T = load_data()\nprint("inputs", tuple(X.shape), "targets", tuple(T.shape))`);
  md('## Model');
  code(`${MODEL_CODE}\n\nmodel = Network()\nprint(model)`);
  md('## Loss, shuffle and optimizer, as in Backprop Studio');
  code(TRAINING_CODE);
  md('## Self-check\nThe loss and every gradient at the starting weights must equal the numbers Backprop Studio computed (to 1e-10 relative).');
  code('loss0 = self_check(model, X, T)\nprint("self-check passed: the loss %.17g and all gradients equal Backprop Studio\'s" % loss0)');
  md('## Train\nSet the environment variable `BACKPROP_EPOCHS` to train fewer epochs.');
  code(
    'EPOCHS = int(os.environ.get("BACKPROP_EPOCHS", TRAINING["epochs"]))\n' +
      'EVERY = max(1, EPOCHS // 20)\n' +
      'history = train(model, X, T, epochs=EPOCHS, log=lambda line: None)\n' +
      'for e in range(EVERY - 1, EPOCHS, EVERY):\n' +
      '    print("epoch %d/%d  loss %.10g" % (e + 1, EPOCHS, history[e]))',
  );
  md('## Loss per epoch');
  code(
    'try:\n' +
      '    import matplotlib.pyplot as plt\n' +
      'except ImportError:\n' +
      '    plt = None\n' +
      '    print("matplotlib is not installed; the last losses:", history[-5:])\n' +
      'if plt is not None:\n' +
      '    plt.figure(figsize=(6, 3.5))\n' +
      '    plt.plot(range(1, len(history) + 1), history)\n' +
      '    plt.yscale("log")\n' +
      '    plt.xlabel("epoch")\n' +
      '    plt.ylabel("training loss")\n' +
      '    plt.show()',
  );
  const notebook = {
    cells,
    metadata: {
      kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
      language_info: { name: 'python' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return `${JSON.stringify(notebook, null, 1)}\n`;
}
