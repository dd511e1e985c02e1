import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { DocumentNode } from 'graphql';

/**
 * Apollo's store of parsed and validated documents, by query hash: a plain Map that keeps the
 * `max` most recently stored documents. Apollo's default (an LRU cache sized by serializing its
 * entries) cost about 4% of the CPU of a small query in its lookup alone (bench/RESULTS.md,
 * issue 21); clients send the same few documents again and again, so recency of use matters less
 * than a cheap hit.
 */
export class DocumentStore implements KeyValueCache<DocumentNode> {
  private readonly documents = new Map<string, DocumentNode>();

  constructor(private readonly max: number) {}

  async get(key: string): Promise<DocumentNode | undefined> {
    return this.documents.get(key);
  }

  async set(key: string, value: DocumentNode): Promise<void> {
    if (!this.documents.has(key) && this.documents.size >= this.max) this.documents.delete(this.documents.keys().next().value as string);
    this.documents.set(key, value);
  }

  async delete(key: string): Promise<boolean> {
    return this.documents.delete(key);
  }
}
