import { badUserInput } from '../common/errors';

/**
 * Full-text words, the same on both databases. InnoDB does not index words shorter than
 * innodb_ft_min_token_size (3) or longer than innodb_ft_max_token_size (84), so such words are
 * dropped from queries on SQLite too: a query then means the same thing on either database.
 * Only letters, digits and underscores reach the engine's query syntax, so user text can never
 * inject engine operators.
 */
export const MIN_WORD_LENGTH = 3;
export const MAX_WORD_LENGTH = 84;

export type FullTextColumn = 'text' | 'subject' | 'body' | 'comments';

export interface FullTextQuery {
  column: FullTextColumn;
  /** Lower-case words; a trailing * marks a prefix. */
  words: string[];
  phrase: boolean;
}

/** Splits user text into searchable words; throws when none is long enough. */
export function fullTextWords(text: string, phrase: boolean): string[] {
  const words: string[] = [];
  for (const raw of text.toLowerCase().split(/[^\p{L}\p{N}_*]+/u)) {
    const stem = raw.replace(/\*/g, '');
    if (stem.length < MIN_WORD_LENGTH || stem.length > MAX_WORD_LENGTH) continue;
    words.push(!phrase && raw.endsWith('*') ? `${stem}*` : stem);
  }
  if (words.length === 0) {
    throw badUserInput(`"${text.slice(0, 80)}" has no word of ${MIN_WORD_LENGTH} to ${MAX_WORD_LENGTH} letters or digits to search for`);
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
