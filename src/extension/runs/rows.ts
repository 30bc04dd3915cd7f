/** A stored run's summary as a row of the Runs tab's table (no `vscode`: measured in plain Node). */
import { changesLabel, type RunSummary } from '../../engine/runs';
import type { RunRow } from '../../shared/runsProtocol';

export function rowOfSummary(s: RunSummary): RunRow {
  const row: RunRow = {
    id: s.id,
    pinned: s.pinned,
    startedAt: s.startedAt,
    changes: s.previous === undefined ? 'first run' : changesLabel(s.changes),
    end: s.end,
    startEpoch: s.startEpoch,
    epochs: s.epochs,
    seconds: s.seconds,
    seed: s.seed,
  };
  if (s.label !== undefined) row.label = s.label;
  if (s.final !== undefined) row.final = s.final;
  return row;
}
