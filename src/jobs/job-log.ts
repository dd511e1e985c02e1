/** ANSI escape sequences (colours, cursor moves, OSC titles) as terminals and CI tools print them. */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

const EXCERPT_MAX_LINES = 20;
const EXCERPT_HEAD = 10;
const EXCERPT_TAIL = 10;

/**
 * The log excerpt tickets and the API show: ANSI codes stripped; over 20 lines, the first 10, a
 * snip marker saying how many lines were left out, and the last 10.
 */
export function logExcerpt(log: string | null): string | null {
  if (log === null) return null;
  const lines = stripAnsi(log).replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  if (lines.length === 1 && lines[0] === '') return null;
  if (lines.length <= EXCERPT_MAX_LINES) return lines.join('\n');
  const snipped = lines.length - EXCERPT_HEAD - EXCERPT_TAIL;
  return [...lines.slice(0, EXCERPT_HEAD), `[... ${snipped} lines snipped ...]`, ...lines.slice(-EXCERPT_TAIL)].join('\n');
}

/**
 * Output of a running process kept within a byte budget: the first half of the budget and the
 * most recent half, so both how it started and how it ended survive a runaway log.
 */
export class BoundedLog {
  private head = '';
  private tail: string[] = [];
  private tailBytes = 0;
  private dropped = 0;

  constructor(private readonly maxBytes: number) {}

  write(chunk: Buffer | string): void {
    let text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const headRoom = Math.floor(this.maxBytes / 2) - Buffer.byteLength(this.head);
    if (headRoom > 0) {
      const take = text.slice(0, headRoom);
      this.head += take;
      text = text.slice(take.length);
    }
    if (!text) return;
    this.tail.push(text);
    this.tailBytes += Buffer.byteLength(text);
    const budget = this.maxBytes - Math.floor(this.maxBytes / 2);
    while (this.tailBytes > budget && this.tail.length > 0) {
      const first = this.tail[0];
      const excess = this.tailBytes - budget;
      if (Buffer.byteLength(first) <= excess) {
        this.tail.shift();
        this.tailBytes -= Buffer.byteLength(first);
        this.dropped += Buffer.byteLength(first);
      } else {
        const cut = first.slice(excess);
        this.tail[0] = cut;
        this.tailBytes -= Buffer.byteLength(first) - Buffer.byteLength(cut);
        this.dropped += Buffer.byteLength(first) - Buffer.byteLength(cut);
      }
    }
  }

  toString(): string {
    const tail = this.tail.join('');
    return this.dropped > 0 ? `${this.head}\n[... ${this.dropped} bytes of output dropped ...]\n${tail}` : this.head + tail;
  }
}
