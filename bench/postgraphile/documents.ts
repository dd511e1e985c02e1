/**
 * W1 and W2 as PostGraphile's own GraphQL documents (its schema over the tables of
 * bench/lib/postgres-peer.ts), selecting the same data as the gateway's documents, and the
 * translation of its answers into the gateway's JSON so that the bench checks them against the
 * same expected answers as B0, B1, B2 and P0, value for value.
 *
 * - W1: the ticket by number, unless soft-deleted, with its 20 latest changes (oldest first) and
 *   their authors' username and name. `ticketByNumber` would return soft-deleted tickets, so it is
 *   `allTickets` with the unique number as condition and the deleted filter (connection-filter).
 * - W2: the 50 highest-numbered visible tickets with number <= max, with their assignees by
 *   position (`ticket_user.position` made orderable by a smart tag) and their 20 latest changes
 *   with authors' username.
 */

export const POSTGRAPHILE_DOCS = {
  W1:
    'query W1($number: Int!) { allTickets(condition: { number: $number }, filter: { deletedAt: { isNull: true } }) { nodes { rowId number subject status ' +
    'ticketChangesByTicketId(last: 20, orderBy: PRIMARY_KEY_ASC) { nodes { rowId type createdAt appUserByAuthorId { username name } } } } } }',
  W2:
    'query W2($max: Int!) { allTickets(first: 50, orderBy: NUMBER_DESC, filter: { number: { lessThanOrEqualTo: $max }, deletedAt: { isNull: true } }) { nodes { rowId number subject status ' +
    'ticketUsersByTicketId(condition: { role: "assignee" }, orderBy: POSITION_ASC) { nodes { appUserByUserId { username } } } ' +
    'ticketChangesByTicketId(last: 20, orderBy: PRIMARY_KEY_ASC) { nodes { rowId type createdAt appUserByAuthorId { username } } } } } }',
};

interface PgChange {
  rowId: number;
  type: string;
  createdAt: string;
  appUserByAuthorId: { username: string; name?: string } | null;
}

interface PgTicket {
  rowId: number;
  number: number;
  subject: string;
  status: string;
  ticketUsersByTicketId?: { nodes: { appUserByUserId: { username: string } | null }[] };
  ticketChangesByTicketId: { nodes: PgChange[] };
}

const gid = (type: string, id: number) => Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');

const changes = (t: PgTicket) => ({
  edges: t.ticketChangesByTicketId.nodes.map((c) => ({
    // PostGraphile sends timestamptz as PostgreSQL prints it (microseconds, +00:00): compared as instants.
    node: { id: gid('Change', c.rowId), type: c.type.toUpperCase(), createdAt: new Date(c.createdAt).toISOString(), author: c.appUserByAuthorId },
  })),
});

/**
 * PostGraphile's answer to W1 or W2 as the gateway's JSON (global ids, upper-case enum values,
 * ISO dates, `changes.edges`, `assignees`), or a description of why it cannot be read as one.
 */
export function postgraphileAsGateway(workload: 'W1' | 'W2', body: string): { json: string } | { problem: string } {
  let parsed: { data?: { allTickets?: { nodes: PgTicket[] } | null }; errors?: unknown };
  try {
    parsed = JSON.parse(body);
  } catch {
    return { problem: `not JSON: ${body.slice(0, 300)}` };
  }
  const nodes = parsed.data?.allTickets?.nodes;
  if (parsed.errors || !nodes) return { problem: `no data: ${body.slice(0, 300)}` };
  if (workload === 'W1') {
    if (nodes.length > 1) return { problem: `${nodes.length} tickets for one number` };
    const t = nodes[0];
    const ticket = t ? { id: gid('Ticket', t.rowId), number: t.number, subject: t.subject, status: t.status.toUpperCase(), changes: changes(t) } : null;
    return { json: JSON.stringify({ data: { ticket } }) };
  }
  const edges = nodes.map((t) => ({
    node: {
      id: gid('Ticket', t.rowId),
      number: t.number,
      subject: t.subject,
      status: t.status.toUpperCase(),
      assignees: (t.ticketUsersByTicketId?.nodes ?? []).map((n) => n.appUserByUserId),
      changes: changes(t),
    },
  }));
  return { json: JSON.stringify({ data: { tickets: { edges } } }) };
}
