import type { Readable } from 'node:stream';

/**
 * Where file bytes live. Writes are two-phase: stage() stores a stream under a temporary name while
 * it is checked, and promote() gives it its final key just before the transaction that writes its
 * row (never inside it: storage I/O holds no database lock). A failed upload leaves nothing
 * visible: discard() removes what was staged, delete() what was promoted but not recorded, and the
 * orphan sweep what a crash left between the two.
 */
export interface FileStorage {
  readonly kind: 'local' | 's3';
  /** Streams the content to a new temporary object; rejects (leaving nothing) if the stream fails. */
  stage(content: Readable, contentType: string): Promise<StagedObject>;
  /** Moves a staged object to its final key. */
  promote(staged: StagedObject, key: string): Promise<void>;
  /** Removes a staged object; never throws for a missing one. */
  discard(staged: StagedObject): Promise<void>;
  /** Reads a final object; null when it does not exist. */
  open(key: string): Promise<Readable | null>;
  /** Deletes a final object; idempotent. */
  delete(key: string): Promise<void>;
  /** Staged objects left by a crash are removed by this, with their age. */
  sweepStaged(olderThanMs: number): Promise<number>;
  /** Keys of final objects last written more than olderThanMs ago (for the orphan sweep). */
  finalKeys(olderThanMs: number): AsyncIterable<string>;
}

export interface StagedObject {
  tempKey: string;
}
