export interface Summary {
  runs: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
}

/** Median (mean of the middle two for an even count) and nearest-rank p95, rounded to 0.01 ms. */
export function summarize(samples: number[]): Summary {
  if (samples.length === 0) throw new Error('No samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const p95 = sorted[Math.min(n, Math.ceil(0.95 * n)) - 1];
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    runs: n,
    medianMs: round(median),
    p95Ms: round(p95),
    minMs: round(sorted[0]),
    maxMs: round(sorted[n - 1]),
    meanMs: round(sorted.reduce((s, v) => s + v, 0) / n),
  };
}
