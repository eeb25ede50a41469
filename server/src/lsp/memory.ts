import * as v8 from 'v8';

/**
 * Heap policy for the language server process, applied once at start.
 *
 * Every keystroke in a large schema leaves garbage V8 cannot avoid: the
 * editor's new document text (a flat copy of the whole file, 0.7 MB on a
 * 1,000-model schema) and the analysis' short-lived objects. V8's default
 * policy lets the old generation grow to about three times the live data
 * before collecting it, and grows the young generation up to 16 MB per
 * semi-space; with ~50 MB of live data (scans, mapped models, replayed
 * migrations) a server typing in such a schema reached 290-320 MB RSS. A
 * growth factor of 1.15 and a young generation that does not grow keep it
 * near 180 MB (1.25 gave 187-199 MB, too close to the 200 MB budget); the
 * extra collections cost a few milliseconds at the 95th percentile of the
 * per-edit latency on that schema and nothing measurable on smaller ones
 * (docs/performance.md). Both flags only steer heuristics V8 reads at each
 * collection, which is why setting them after start takes effect.
 */
export function tuneHeapForLanguageServer(): void {
  for (const flag of ['--heap-growing-percent=15', '--semi-space-growth-factor=1']) {
    try {
      v8.setFlagsFromString(flag);
    } catch {
      // An engine without the flag keeps its defaults.
    }
  }
}
