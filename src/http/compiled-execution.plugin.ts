import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { Kind, OperationTypeNode, visit, BREAK, type DocumentNode, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { AppMetrics } from '../common/metrics';
import type { RequestContext } from '../graphql/context';

interface Entry {
  uses: number;
  /** The compiled query, false when it cannot be compiled (graphql-js runs it). */
  compiled: CompiledQuery | false | null;
}

/**
 * Queries sent again and again (a front-end's few documents) run as code compiled for that
 * document by graphql-jit instead of graphql-js's generic executor. graphql-js builds, for every
 * field of every row, an info object, a path entry and a dictionary-mode result object; for a
 * list of 50 tickets with 20 history entries each that garbage was the largest item of the
 * profile (bench/RESULTS.md, issue 21). The same resolvers, context, loaders and schema run: only
 * the walk over the selection is compiled.
 *
 * It answers through Apollo's documented `responseForOperation` hook, so the request pipeline
 * (parsing, validation, the document store, the limits and rate limit, auth status, logging,
 * hardening) is unchanged. It steps aside, and graphql-js executes, for:
 * - mutations and subscriptions (side effects and serial execution stay with graphql-js);
 * - documents used fewer than `compileAfterUses` times (GRAPHQL_COMPILE_AFTER: a document sent
 *   once is not worth compiling), or that graphql-jit cannot compile;
 * - any compiled run that reports errors (or throws): graphql-js then runs the query again, so
 *   every error reaches the client through the same execution, error shaping (formatError),
 *   status codes and masking as without compilation. Queries do not write, so running one twice
 *   is safe; only the failing case pays twice (the request's loaders keep what the first run read).
 * - documents with @defer or @stream (incremental delivery is graphql-js's).
 * Compiled queries are kept per parsed document, which Apollo's document store keeps (at most
 * its size), and dropped with it.
 */
export function compiledExecutionPlugin(schema: GraphQLSchema, compileAfterUses: number, metrics: AppMetrics): ApolloServerPlugin<RequestContext> {
  const byDocument = new WeakMap<DocumentNode, Map<string, Entry>>();

  const compiledFor = (document: DocumentNode, operationName: string | null): CompiledQuery | null => {
    let perOperation = byDocument.get(document);
    if (!perOperation) byDocument.set(document, (perOperation = new Map()));
    const key = operationName ?? '';
    let entry = perOperation.get(key);
    if (!entry) perOperation.set(key, (entry = { uses: 0, compiled: incremental(document) ? false : null }));
    if (entry.compiled !== null) return entry.compiled || null;
    if (++entry.uses < compileAfterUses) return null;
    const compiled = compileQuery(schema, document, operationName ?? undefined, { disablingCapturingStackErrors: true });
    entry.compiled = isCompiledQuery(compiled) ? compiled : false;
    return entry.compiled || null;
  };

  return {
    async requestDidStart() {
      return {
        async responseForOperation({ document, operation, operationName, request, contextValue }) {
          // No operation: the operationName names none in the document; graphql-js reports that.
          if (operation?.operation !== OperationTypeNode.QUERY) return null;
          const compiled = compiledFor(document, operationName);
          if (!compiled) return null;
          let result;
          try {
            result = await compiled.query(undefined, contextValue, request.variables ?? {});
          } catch {
            result = null; // a fault of the compiled code itself: graphql-js answers instead
          }
          if (!result || result.errors?.length) {
            metrics.compiledQueries.inc({ outcome: 'rerun' });
            return null;
          }
          metrics.compiledQueries.inc({ outcome: 'answered' });
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: result.data } } };
        },
      };
    },
  };
}

/** Whether the document asks for incremental delivery, which graphql-jit does not do. */
function incremental(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.DIRECTIVE](node) {
      if (node.name.value === 'defer' || node.name.value === 'stream') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}
