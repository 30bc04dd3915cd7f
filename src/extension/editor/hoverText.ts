/**
 * The text of the hover on a weight, a bias or a layer of a `.net.json` file, as Markdown: which
 * connection a weight is (`w^l_jk`: from unit k of layer l-1 to unit j of layer l, 1-based as in
 * the notes), its value in the file, and after a run its value, gradient and last update in the
 * session; for a layer its units, activation and parameter count. Pure, tested in plain Node.
 */
import type { LayerView } from '../../shared/protocol';
import type { LayerStatsView } from '../worker/protocol';
import { isReluFamily, parameterName } from '../../engine/spec';
import type { NetLocation } from './netLocation';

export interface HoverInput {
  loc: NetLocation;
  /** `units` of each entry of the file's `layers` (undefined where missing or not a number). */
  units: (number | undefined)[];
  /** `activation` of each entry (undefined for the input layer or where missing). */
  activations: (string | undefined)[];
  /** The number under the cursor, as the file has it. */
  fileValue?: number;
  /** The session's view of this layer, after training (shapes already checked). */
  session?: { epoch: number; layer?: LayerView; stats?: LayerStatsView };
}

const code = (x: number | string): string => `\`${String(x)}\``;

function unitCount(n: number | undefined): string {
  return n === undefined ? '? units' : n === 1 ? '1 unit' : `${n} units`;
}

export function hoverMarkdown(h: HoverInput): string {
  const { loc } = h;
  const L = h.units.length - 1;
  const lines: string[] = [];
  if (loc.kind === 'layer') {
    const l = loc.layer;
    const role = l === 0 ? 'input layer' : l === L ? 'output layer' : 'hidden layer';
    if (l === 0) {
      lines.push(`**Layer 0** (${role}): ${unitCount(h.units[0])}, the inputs \`x_k\``);
    } else {
      const n = h.units[l];
      const m = h.units[l - 1];
      const params = n !== undefined && m !== undefined ? `, ${n * m + n} parameters (${n * m} weights + ${n} ${n === 1 ? 'bias' : 'biases'})` : '';
      lines.push(`**Layer ${l}** (${role}): ${unitCount(n)}, ${h.activations[l] ?? 'no activation'}${params}`);
      lines.push('');
      lines.push(`\`net_j = sum_k w^${l}_jk o_k + b^${l}_j\`, \`o_j = f(net_j)\` with f = ${h.activations[l] ?? '?'}`);
    }
    const st = h.session?.stats;
    if (st) {
      lines.push('');
      const parts = [`gradient norm ${code(st.gradientNorm)}`];
      if (isReluFamily(st.activation)) parts.push(`dead units ${Math.round(st.deadShare * st.units)} of ${st.units}`);
      if (st.activation === 'sigmoid' || st.activation === 'tanh') parts.push(`saturated units ${Math.round(st.saturatedShare * st.units)} of ${st.units}`);
      lines.push(`At epoch ${h.session?.epoch ?? 0}: ${parts.join(', ')}`);
    }
    return lines.join('\n');
  }
  const l = loc.layer;
  const name = loc.kind === 'weight' ? parameterName(l, loc.j, loc.k) : parameterName(l, loc.j);
  if (loc.kind === 'weight') {
    lines.push(`**${code(name)}** weight from unit ${loc.k + 1} of layer ${l - 1} to unit ${loc.j + 1} of layer ${l}`);
  } else {
    lines.push(`**${code(name)}** bias of unit ${loc.j + 1} of layer ${l}`);
  }
  lines.push('');
  if (h.fileValue !== undefined) lines.push(`value in the file: ${code(h.fileValue)}`);
  const v = h.session?.layer;
  if (v) {
    const i = loc.kind === 'weight' ? loc.j * v.inputs + loc.k : loc.j;
    const value = loc.kind === 'weight' ? v.W[i] : v.b[i];
    const grad = loc.kind === 'weight' ? v.dW?.[i] : v.db?.[i];
    const update = loc.kind === 'weight' ? v.uW?.[i] : v.ub?.[i];
    const sym = loc.kind === 'weight' ? 'w' : 'b';
    lines.push('');
    lines.push(`In the training session, epoch ${h.session?.epoch ?? 0}:`);
    lines.push('');
    if (value !== undefined) lines.push(`- value ${code(value)}`);
    if (grad !== undefined) lines.push(`- gradient ∂E/∂${sym} ${code(grad)} (mean loss over the training data)`);
    if (update !== undefined) lines.push(`- last update Δ${sym} ${code(update)}`);
  }
  return lines.join('\n');
}
