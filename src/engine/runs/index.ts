/**
 * Runs: every training run recorded (settings and what changed, curves, gradients over time,
 * snapshots of the trainer's state), kept in a bounded store, and replayed to any epoch bit for bit.
 * See docs/runs.md.
 */
export * from './settings';
export * from './record';
export * from './replay';
export * from './codec';
export * from './store';
export * from './csv';
export { nodeRunFolder } from './nodeFolder';
