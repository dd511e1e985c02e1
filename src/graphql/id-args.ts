import { createParameterDecorator, ID, type ArgOptions } from 'type-graphql';
import type { RequestContext } from './context';
import { builtInViewOf, viewGlobalId } from '../search/built-in-views';
import { parseJobId, parseTicketRef, rowIdOf, toGlobalId, type NodeTypeName, type SavedSearchRef, type TicketRef } from './global-id';

/**
 * ID arguments decoded once, at the edge: services take row ids (or ticket references) and never
 * see a global id. A value that names no object of the type decodes to null, which services answer
 * as not found, as for an object that does not exist; an argument not given is undefined.
 */

type Decoder<T> = (value: string) => T | null;

const TICKET_REF = 'The ticket: its global id, its number ("42") or "#42".';

function decodedArg<T>(name: string, decode: Decoder<T>, list: boolean, options: ArgOptions) {
  return createParameterDecorator<RequestContext>(
    ({ args }) => {
      const value = args[name] as string | string[] | null | undefined;
      if (value == null) return undefined;
      return Array.isArray(value) ? value.map((v) => decode(v)) : decode(value);
    },
    { arg: { name, typeFunc: () => (list ? [ID] : ID), options } },
  );
}

/** The decoder of one node type's global ids (Job ids also take the job's number). */
export function idDecoder(type: NodeTypeName): Decoder<number> {
  return type === 'Job' ? parseJobId : (value) => rowIdOf(type, value);
}

/** How an ID argument of each type reads in the schema, unless the argument says more. */
const ID_ARG_DESCRIPTIONS: Partial<Record<NodeTypeName, string>> = {
  Job: 'The job: its global id or its number.',
  Change: 'Global id of the comment (a COMMENT entry of the history).',
  SlaPolicy: 'Global id of the SLA policy.',
  ApiKey: 'Global id of the API key.',
  Event: 'Global id of the event definition.',
  TicketEvent: 'Global id of the event attached to a ticket.',
};

/** An ID argument of one node type, decoded to its row id. */
export function IdArg(name: string, type: NodeTypeName, options: ArgOptions = {}) {
  const description = ID_ARG_DESCRIPTIONS[type] ?? `Global id of the ${type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}.`;
  return decodedArg(name, idDecoder(type), false, { description, ...options });
}

/** An ID argument naming a ticket by global id, number ("42") or "#42", decoded to a TicketRef. */
export function TicketArg(name: string, options: ArgOptions = {}) {
  return decodedArg<TicketRef>(name, parseTicketRef, false, { description: TICKET_REF, ...options });
}

/** A list of ticket IDs, each decoded to a TicketRef (null where one names no ticket). */
export function TicketListArg(name: string, options: ArgOptions = {}) {
  return decodedArg<TicketRef>(name, parseTicketRef, true, { description: 'Tickets, each by global id, number ("42") or "#42".', ...options });
}

/**
 * An ID field inside an input object (where no argument decorator reaches): undefined when not
 * given, null when it names no object of the type.
 */
export function decodeId(type: NodeTypeName, value: string | null | undefined): number | null | undefined {
  return value == null ? undefined : idDecoder(type)(value);
}

export function decodeTicketRef(value: string | null | undefined): TicketRef | null | undefined {
  return value == null ? undefined : parseTicketRef(value);
}

/** A saved search's id: a built-in view's (not a row id: every user has the views) or one of the caller's. */
export function parseSavedSearchRef(value: string): SavedSearchRef | null {
  const view = builtInViewOf(value);
  if (view) return { view: view.key };
  const id = rowIdOf('SavedSearch', value);
  return id === null ? null : { id };
}

export function savedSearchGlobalId(search: { id: number; builtInKey?: string }): string {
  return search.builtInKey ? viewGlobalId(search.builtInKey) : toGlobalId('SavedSearch', search.id);
}

export function SavedSearchArg(name: string, options: ArgOptions = {}) {
  return decodedArg<SavedSearchRef>(name, parseSavedSearchRef, false, { description: 'Global id of the saved search.', ...options });
}
