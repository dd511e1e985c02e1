import fs from 'node:fs';
import { TicketStatus } from '../entities/ticket.enums';

/**
 * Which status a ticket may move to from which: the one place transitions are defined. The
 * default is the helpdesk flow (draft -> open -> in progress <-> on hold -> resolved -> closed,
 * reopen from resolved or closed) plus the ops shortcuts the reference allows (closing an open
 * ticket directly). WORKFLOW_FILE replaces it with a custom one.
 */
export interface Workflow {
  /** Status of a new ticket when none is given. */
  initial: TicketStatus;
  transitions: Record<TicketStatus, TicketStatus[]>;
}

const S = TicketStatus;

export const DEFAULT_WORKFLOW: Workflow = {
  initial: S.OPEN,
  transitions: {
    [S.DRAFT]: [S.OPEN],
    [S.OPEN]: [S.IN_PROGRESS, S.ON_HOLD, S.RESOLVED, S.CLOSED],
    [S.IN_PROGRESS]: [S.ON_HOLD, S.OPEN, S.RESOLVED, S.CLOSED],
    [S.ON_HOLD]: [S.IN_PROGRESS, S.OPEN, S.RESOLVED, S.CLOSED],
    [S.RESOLVED]: [S.CLOSED, S.OPEN],
    [S.CLOSED]: [S.OPEN],
  },
};

export function canTransition(workflow: Workflow, from: TicketStatus, to: TicketStatus): boolean {
  return from === to || workflow.transitions[from].includes(to);
}

/**
 * Reads a workflow file: { "initial": "open", "transitions": { "open": ["closed"], ... } } with
 * the stored status values. Statuses it does not list have no way out. Problems are appended to
 * `problems` (config validation style); the default is returned then.
 */
export function loadWorkflow(file: string | undefined, problems: string[]): Workflow {
  if (!file) return DEFAULT_WORKFLOW;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    problems.push(`WORKFLOW_FILE ${file} is not readable JSON: ${(err as Error).message}`);
    return DEFAULT_WORKFLOW;
  }
  const statuses = Object.values(TicketStatus) as string[];
  const isStatus = (v: unknown): v is TicketStatus => typeof v === 'string' && statuses.includes(v);
  const w = raw as { initial?: unknown; transitions?: unknown };
  const before = problems.length;
  if (!isStatus(w.initial)) problems.push(`WORKFLOW_FILE: "initial" must be one of ${statuses.join(', ')}`);
  const transitions = Object.fromEntries(statuses.map((s) => [s, []])) as unknown as Record<TicketStatus, TicketStatus[]>;
  if (typeof w.transitions !== 'object' || w.transitions === null) problems.push('WORKFLOW_FILE: "transitions" must map a status to the statuses it may move to');
  else {
    for (const [from, tos] of Object.entries(w.transitions)) {
      if (!isStatus(from) || !Array.isArray(tos) || !tos.every(isStatus)) {
        problems.push(`WORKFLOW_FILE: transitions.${from} must be a status mapped to a list of statuses (${statuses.join(', ')})`);
      } else transitions[from] = tos;
    }
  }
  return problems.length > before ? DEFAULT_WORKFLOW : { initial: w.initial as TicketStatus, transitions };
}
