import { badUserInput } from '../common/errors';
import type { AppConfig } from '../config/config';
import type { ConnectionArgs } from '../graphql/args/connection.args';
import type { Edge, Page } from '../graphql/types/connection.factory';
import { PageInfo } from '../graphql/types/page-info.type';

export interface PageRequest {
  /** forward: first/after; backward: last/before (rows are fetched in reverse and flipped back). */
  backward: boolean;
  limit: number;
  cursor: string | null;
}

/** Validates Relay arguments against the configured page size cap. */
export function pageRequest(args: ConnectionArgs, limits: AppConfig['limits']): PageRequest {
  const { first, after, last, before } = args;
  if (first != null && last != null) throw badUserInput('Pass either first or last, not both');
  if (after != null && before != null) throw badUserInput('Pass either after or before, not both');
  if (first != null && before != null) throw badUserInput('before goes with last, not first');
  if (last != null && after != null) throw badUserInput('after goes with first, not last');
  const size = first ?? last;
  if (size != null && (size < 1 || size > limits.pageSizeMax)) {
    throw badUserInput(`${first != null ? 'first' : 'last'} must be between 1 and ${limits.pageSizeMax}`);
  }
  const backward = last != null || before != null;
  return { backward, limit: size ?? limits.pageSizeDefault, cursor: (backward ? before : after) ?? null };
}

/**
 * Turns limit+1 fetched rows (in fetch order) into a page. Fetching one extra row tells whether
 * another page exists without a second query.
 *
 * `count` runs only when totalCount is selected, as a statement of its own. When the whole result is
 * on this page (no cursor, no more rows) the page is the count: no statement, and no ticket committed
 * between the two statements can show in totalCount but not in edges.
 */
export function buildPage<T>(rows: T[], req: PageRequest, cursorOf: (row: T) => string, count: () => Promise<number>): Page<T> {
  const hasMore = rows.length > req.limit;
  const slice = hasMore ? rows.slice(0, req.limit) : rows;
  if (req.backward) slice.reverse();
  const edges = slice.map((node) => new PageEdge(node, cursorOf));
  const pageInfo = Object.assign(new PageInfo(), {
    hasNextPage: req.backward ? req.cursor !== null : hasMore,
    hasPreviousPage: req.backward ? hasMore : req.cursor !== null,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges[edges.length - 1]?.cursor ?? null,
  });
  const whole = req.cursor === null && !hasMore;
  return { edges, pageInfo, count: whole ? () => Promise.resolve(edges.length) : count };
}

/**
 * An edge whose cursor is encoded when it is read. Most queries select only the nodes (W2 of the
 * benchmark reads 1,050 edges and no cursor), and encoding every row's cursor up front was
 * per-row garbage (JSON text, a Buffer, base64) for nothing (bench/RESULTS.md, issue 21).
 */
class PageEdge<T> implements Edge<T> {
  private encoded: string | undefined;

  constructor(
    readonly node: T,
    private readonly cursorOf: (row: T) => string,
  ) {}

  get cursor(): string {
    return (this.encoded ??= this.cursorOf(this.node));
  }
}

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): unknown {
  try {
    if (cursor.length > 512) throw new Error('too long');
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badUserInput('The cursor is not valid; use a cursor returned by this connection');
  }
}

/** Cursor of a list ordered by row id (histories, users). */
export function idCursor(id: number): string {
  return encodeCursor({ id });
}

export function decodeIdCursor(cursor: string): number {
  const v = decodeCursor(cursor) as { id?: unknown };
  if (typeof v?.id !== 'number' || !Number.isSafeInteger(v.id)) throw badUserInput('The cursor is not valid; use a cursor returned by this connection');
  return v.id;
}
