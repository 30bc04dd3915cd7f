/**
 * Generated 2-D classification data sets (`data: { "generator": ... }`). Sample i belongs to
 * class i mod `classes`, so classes are balanced to within one sample. Each sample draws its
 * shape parameters from the `Rng` it is given (the caller passes `new Rng(seed, 'data')`), then
 * two standard normals scaled by `noise` are added to x and y. The geometry of each generator is
 * described in docs/net-json.md ("Generated data"); keep the two in step.
 */
import type { Rng } from '../rng';
import type { Dataset, GeneratorName } from '../spec';

const TAU = 2 * Math.PI;

/** One point of class `c` of `k`, before noise. */
type Shape = (c: number, k: number, rng: Rng) => [number, number];

const SHAPES: Record<GeneratorName, Shape> = {
  // Quadrants of [-1, 1]^2: class 0 where x and y have the same sign, class 1 where they differ.
  xor: (c, _k, rng) => {
    const a = rng.next();
    const b = rng.next();
    const sx = rng.next() < 0.5 ? -1 : 1;
    const sy = c === 0 ? sx : -sx;
    return [sx * a, sy * b];
  },
  // Concentric rings around the origin: class c has radius in [(c + 0.1) / k, (c + 0.9) / k).
  circle: (c, k, rng) => {
    const r = (c + 0.1 + 0.8 * rng.next()) / k;
    const theta = TAU * rng.next();
    return [r * Math.cos(theta), r * Math.sin(theta)];
  },
  // Round clusters (standard deviation 0.25) centred on the unit circle at angle 2 pi c / k.
  gauss: (c, k, rng) => {
    const a = (TAU * c) / k;
    return [Math.cos(a) + 0.25 * rng.normal(), Math.sin(a) + 0.25 * rng.normal()];
  },
  // k interleaved arms; arm c: radius 0.1 + 0.9 t, angle 2 pi c / k + 3 pi t, t uniform in [0, 1).
  spiral: (c, k, rng) => {
    const t = rng.next();
    const r = 0.1 + 0.9 * t;
    const a = (TAU * c) / k + 3 * Math.PI * t;
    return [r * Math.cos(a), r * Math.sin(a)];
  },
  // Two interleaved half circles of radius 1, centred so the pair is centred on the origin.
  moons: (c, _k, rng) => {
    const a = Math.PI * rng.next();
    return c === 0 ? [Math.cos(a) - 0.5, Math.sin(a) - 0.25] : [0.5 - Math.cos(a), 0.25 - Math.sin(a)];
  },
};

/**
 * Generates `samples` points of `classes` classes; targets are one-hot over `classes` units.
 * The caller has validated the arguments (xor and moons make exactly 2 classes).
 */
export function generateData(name: GeneratorName, samples: number, noise: number, classes: number, rng: Rng): Dataset {
  const shape = SHAPES[name];
  const inputs: Float64Array[] = [];
  const targets: Float64Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < samples; i++) {
    const c = i % classes;
    const [x, y] = shape(c, classes, rng);
    const nx = rng.normal();
    const ny = rng.normal();
    inputs.push(Float64Array.of(x + noise * nx, y + noise * ny));
    const t = new Float64Array(classes);
    t[c] = 1;
    targets.push(t);
    labels.push(c);
  }
  return { inputs, targets, labels };
}
