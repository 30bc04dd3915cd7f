/**
 * Small wording helpers for problem messages, so every message counts things the same way.
 */

/** "1 unit", "3 units", "0 numbers"; `many` for irregular plurals ("classes"). */
export function plural(n: number, noun: string, many = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : many}`;
}
