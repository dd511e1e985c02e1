/** A small seeded PRNG (mulberry32) so every run generates the same dataset. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** A key of `weights`, with probability proportional to its weight. */
  weighted<K extends string | number>(weights: readonly (readonly [K, number])[]): K {
    const total = weights.reduce((sum, [, w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [key, w] of weights) {
      r -= w;
      if (r < 0) return key;
    }
    return weights[weights.length - 1][0];
  }
}

/** Draws items with probability proportional to 1 / (rank + offset)^exponent: a few very common, a long tail. */
export class ZipfSampler<T> {
  private readonly cumulative: Float64Array;

  constructor(
    private readonly items: readonly T[],
    exponent = 1,
    offset = 1,
  ) {
    this.cumulative = new Float64Array(items.length);
    let sum = 0;
    items.forEach((_, rank) => {
      sum += 1 / (rank + offset) ** exponent;
      this.cumulative[rank] = sum;
    });
  }

  draw(random: Random): T {
    return this.items[drawIndex(this.cumulative, random)];
  }

  /** `count` distinct items (count must not exceed the number of items). */
  drawDistinct(random: Random, count: number): T[] {
    const chosen = new Set<T>();
    while (chosen.size < count) chosen.add(this.draw(random));
    return [...chosen];
  }
}

/** An index drawn with probability proportional to its share of the cumulative weights (binary search). */
export function drawIndex(cumulative: Float64Array, random: Random): number {
  const target = random.next() * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
