import { badUserInput } from '../common/errors';

/**
 * Full-text words, the same on both databases. InnoDB does not index words shorter than
 * innodb_ft_min_token_size (3) or longer than innodb_ft_max_token_size (84); both are read-only
 * server options (a restart and an index rebuild), so the application cannot lower them. Short
 * words are therefore written into the index in a longer form (shortWordToken): "db" is indexed
 * as SHORT_WORD_MARK + "db", a whole word of its own, so a query for "db" is an ordinary indexed
 * word lookup on either database, finds "DB" and "db," but not "dbadmin" or "feedback", and
 * combines with long words and phrases as words do. Words longer than 84 are dropped from queries
 * on SQLite too, so a query means the same thing on either database. Only letters, digits and
 * underscores reach the engine's query syntax, so user text can never inject engine operators.
 */
export const MIN_WORD_LENGTH = 3;
export const MAX_WORD_LENGTH = 84;
/** A prefix (word*) needs this many letters: a shorter one would expand to a large part of the index. */
export const MIN_PREFIX_LENGTH = MIN_WORD_LENGTH;

/**
 * Prefixed to every word shorter than MIN_WORD_LENGTH in the indexed text. A word that itself
 * starts with the mark gets it prefixed too, so the encoding is reversible and a real word can
 * never be mistaken for a short one. Lower case, letters and digits: both engines keep it inside
 * the word.
 */
export const SHORT_WORD_MARK = 'sw0';

/** The word characters of both engines (marks stay attached to their letter). */
const WORD = /[\p{L}\p{M}\p{N}_]+/gu;

/** Lower case without accents, as the full-text indexes compare words. */
export function foldWord(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

function needsMark(word: string): boolean {
  const folded = foldWord(word);
  return folded.length < MIN_WORD_LENGTH || folded.startsWith(SHORT_WORD_MARK);
}

/** The form a word takes in the index (and so in a query). */
export function shortWordToken(word: string): string {
  return needsMark(word) ? `${SHORT_WORD_MARK}${word}` : word;
}

/** Text as it is stored in ticket_search: short words marked, everything else unchanged. */
export function indexText(text: string): string {
  return text.replace(WORD, shortWordToken);
}

/** The original text of an indexed document (indexText reversed). */
export function unindexText(text: string): string {
  return text.replace(WORD, (w) => (foldWord(w).startsWith(SHORT_WORD_MARK) ? w.slice(SHORT_WORD_MARK.length) : w));
}

export type FullTextColumn = 'text' | 'subject' | 'body' | 'comments';

export interface FullTextQuery {
  column: FullTextColumn;
  /** Lower-case words in their indexed form (shortWordToken); a trailing * marks a prefix. */
  words: string[];
  phrase: boolean;
}

/**
 * Splits user text into searchable words, in their indexed form (short words marked, see
 * shortWordToken); throws when there is none, or for a prefix shorter than MIN_PREFIX_LENGTH.
 */
export function fullTextWords(text: string, phrase: boolean): string[] {
  const words: string[] = [];
  for (const raw of text.toLowerCase().split(/[^\p{L}\p{M}\p{N}_*]+/u)) {
    const stem = raw.replace(/\*/g, '');
    const length = foldWord(stem).length;
    if (length === 0 || length > MAX_WORD_LENGTH) continue;
    const prefix = !phrase && raw.endsWith('*');
    if (prefix && length < MIN_PREFIX_LENGTH) {
      throw badUserInput(`"${raw.slice(0, 80)}": a prefix search needs at least ${MIN_PREFIX_LENGTH} letters or digits before the *`);
    }
    const token = shortWordToken(stem);
    words.push(prefix ? `${token}*` : token);
  }
  if (words.length === 0) {
    throw badUserInput(`"${text.slice(0, 80)}" has no word of 1 to ${MAX_WORD_LENGTH} letters or digits to search for`);
  }
  return words;
}

/** FTS5 MATCH expression over the ticket_search virtual table. */
export function sqliteMatch(q: FullTextQuery): string {
  const expr = q.phrase ? `"${q.words.join(' ')}"` : q.words.map((w) => (w.endsWith('*') ? `"${w.slice(0, -1)}" *` : `"${w}"`)).join(' ');
  return q.column === 'text' ? expr : `{${q.column}} : (${expr})`;
}

/** MySQL boolean-mode AGAINST expression. */
export function mysqlAgainst(q: FullTextQuery): string {
  return q.phrase ? `+"${q.words.join(' ')}"` : q.words.map((w) => `+${w}`).join(' ');
}

/** The column list of the MySQL FULLTEXT index serving a column (MATCH must name an index exactly). */
export function mysqlMatchColumns(column: FullTextColumn): string {
  return column === 'text' ? 'subject, body, comments' : column;
}
