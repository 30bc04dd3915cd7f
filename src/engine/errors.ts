/**
 * Errors the engine throws on purpose. Training checks after every batch that the loss, the
 * batch's activations, the gradient and the updated weights are finite, and throws a
 * DivergenceError naming the place (epoch, batch, layer) otherwise. The trainer restores the
 * weights (and the optimizer state) from before the failing batch before it throws, so the
 * network can be written back or trained on with a smaller learning rate.
 */

export type DivergenceWhat = 'loss' | 'activation' | 'weight' | 'gradient';

export class DivergenceError extends Error {
  override readonly name = 'DivergenceError';

  constructor(
    /** 1-based epoch in which it happened. */
    readonly epoch: number,
    /** 1-based batch within the epoch. */
    readonly batch: number,
    /** 1-based layer, or 0 for the loss. */
    readonly layer: number,
    readonly what: DivergenceWhat,
    /** The offending value: NaN, Infinity or -Infinity. */
    readonly value: number,
    readonly learningRate: number,
    /** For 'weight' and 'gradient': whether it was a weight or a bias. */
    readonly parameter?: 'weights' | 'biases',
  ) {
    super(divergenceMessage(epoch, batch, layer, what, value, learningRate, parameter));
  }
}

function divergenceMessage(
  epoch: number,
  batch: number,
  layer: number,
  what: DivergenceWhat,
  value: number,
  learningRate: number,
  parameter: 'weights' | 'biases' | undefined,
): string {
  const where = `in epoch ${epoch}, batch ${batch}`;
  const v = String(value);
  let subject: string;
  switch (what) {
    case 'loss':
      subject = `the loss became ${v}`;
      break;
    case 'activation':
      subject = `layer ${layer}'s outputs became ${v}`;
      break;
    case 'gradient':
      subject = `layer ${layer}'s gradient (${parameter ?? 'weights'}) became ${v}`;
      break;
    case 'weight':
      subject = `layer ${layer}'s ${parameter ?? 'weights'} became ${v}`;
      break;
  }
  return `training diverged ${where}: ${subject} (learning rate ${learningRate} may be too high)`;
}
