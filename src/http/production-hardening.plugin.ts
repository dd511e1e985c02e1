import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';
import type { RequestContext } from '../graphql/context';

export const INTROSPECTION_DISABLED = 'INTROSPECTION_DISABLED';

/** graphql-js appends these to validation and coercion messages; in production they map the schema for a stranger. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** Whether the document asks for `__schema` or `__type` (`__typename` is harmless and used by every client). */
export function isIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.FIELD]: (node) => {
      if (node.name.value === '__schema' || node.name.value === '__type') found = true;
    },
  });
  return found;
}

export function stripSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

/**
 * Production behaviour (NODE_ENV=production): anonymous callers may not introspect the schema, and
 * no error message suggests field, argument or enum names. Authenticated callers (GraphiQL, codegen)
 * keep introspection. Outside production nothing changes, so developers get the helpful messages.
 */
export function productionHardeningPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, contextValue }) {
          if (contextValue.viewer === null && isIntrospection(document)) {
            throw new GraphQLError('Introspection requires authentication in production: send Authorization: Bearer <api key or JWT>', {
              extensions: { code: INTROSPECTION_DISABLED, http: { status: 401 } },
            });
          }
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((e) => ({ ...e, message: stripSuggestions(e.message) }));
        },
      };
    },
  };
}
