import { tokens, type Dataset, type TicketRow } from './dataset';
import { VOCABULARY } from './words';

export interface Expected {
  totalCount: number;
  /** Numbers of the first page in the default order (number descending). */
  firstPage: number[];
}

/**
 * Computes, from the generated rows and independently of the databases, what a search must
 * return, so every timed query is first checked for the right answer. Also picks the words to
 * search for by how common they are. Only vocabulary words are tracked (a bitmap per ticket).
 */
export class Oracle {
  private readonly visible: TicketRow[];
  private readonly tags = new Map<number, Set<string>>();
  private readonly text = new Map<number, Uint8Array>();
  private readonly comments = new Map<number, Uint8Array>();
  private readonly wordIndex = new Map(VOCABULARY.map((w, i) => [w, i]));

  constructor(data: Dataset) {
    this.visible = data.tickets.filter((t) => t.deletedAt === null).sort((a, b) => b.number - a.number);
    for (const link of data.ticketTags) {
      const set = this.tags.get(link.ticketId) ?? new Set<string>();
      set.add(data.tagKeyById.get(link.tagId) ?? '');
      this.tags.set(link.ticketId, set);
    }
    for (const s of data.search) {
      this.text.set(s.ticketId, this.bitmap(`${s.subject}\n${s.body}\n${s.comments}`));
      this.comments.set(s.ticketId, this.bitmap(s.comments));
    }
  }

  /** Visible tickets (not soft-deleted, the admin sees every category) matching the predicate. */
  expect(predicate: (t: TicketRow) => boolean, pageSize: number): Expected {
    const matching = this.visible.filter(predicate);
    return { totalCount: matching.length, firstPage: matching.slice(0, pageSize).map((t) => t.number) };
  }

  hasTag(t: TicketRow, key: string): boolean {
    return this.tags.get(t.id)?.has(key) ?? false;
  }

  /** Every word in subject, body or comments together (the default full-text field). */
  hasWords(t: TicketRow, words: string[]): boolean {
    return words.every((w) => this.has(this.text.get(t.id), w));
  }

  commentsHave(t: TicketRow, word: string): boolean {
    return this.has(this.comments.get(t.id), word);
  }

  /** The vocabulary word whose share of visible tickets containing it is closest to `share`. */
  wordWithShare(share: number, field: 'text' | 'comments', exclude: string[]): { word: string; share: number } {
    const maps = field === 'text' ? this.text : this.comments;
    let best = { word: '', share: Number.NaN, distance: Number.POSITIVE_INFINITY };
    VOCABULARY.forEach((word) => {
      if (exclude.includes(word)) return;
      const n = this.visible.filter((t) => this.has(maps.get(t.id), word)).length;
      const actual = n / this.visible.length;
      if (Math.abs(actual - share) < best.distance) best = { word, share: actual, distance: Math.abs(actual - share) };
    });
    return { word: best.word, share: Math.round(best.share * 1000) / 1000 };
  }

  private bitmap(text: string): Uint8Array {
    const bits = new Uint8Array(Math.ceil(VOCABULARY.length / 8));
    for (const token of tokens(text)) {
      const i = this.wordIndex.get(token);
      if (i !== undefined) bits[i >> 3] |= 1 << (i & 7);
    }
    return bits;
  }

  private has(bits: Uint8Array | undefined, word: string): boolean {
    const i = this.wordIndex.get(word);
    if (bits === undefined || i === undefined) return false;
    return (bits[i >> 3] & (1 << (i & 7))) !== 0;
  }
}
