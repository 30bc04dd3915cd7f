/**
 * The one source of randomness in the engine: seeded, portable, bit-identical on every machine.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 32-bit variant), state
 * seeded from the integer seed through splitmix32, then 12 draws discarded (a warm-up: the first
 * draw a caller sees is the 13th; docs/net-json.md spells every step out, with a worked example
 * for seed 7 that test/unit/engine/rng-docs.test.ts rebuilds from the docs alone). Every draw
 * uses only 32-bit integer arithmetic (`Math.imul`, `>>>`, `|0`), so the stream does not depend on
 * the platform's floating point.
 * Uniform doubles take 53 bits from two draws; normals use the Box-Muller transform.
 *
 * Streams: `new Rng(seed, 'init')` and `new Rng(seed, 'shuffle')` are independent generators for
 * the same seed, so changing how data is shuffled never changes how weights are initialised.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  constructor(seed: number, stream = '') {
    let s = (Math.trunc(seed) ^ hashString(stream)) >>> 0;
    const next = (): number => {
      // splitmix32
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32(); // warm-up: 12 draws discarded
  }

  /** The generator's whole state (to continue the stream elsewhere, bit for bit: runs/replay.ts). */
  saveState(): RngState {
    return { words: [this.a, this.b, this.c, this.d], spareNormal: this.spareNormal };
  }

  restoreState(state: RngState): void {
    [this.a, this.b, this.c, this.d] = state.words;
    this.spareNormal = state.spareNormal;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform double in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A standard normal draw (Box-Muller, both values used). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[] | Int32Array | Uint32Array): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
  }
}

export interface RngState {
  readonly words: readonly [number, number, number, number];
  readonly spareNormal: number | undefined;
}

/** FNV-1a over the UTF-16 code units of a stream name. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
