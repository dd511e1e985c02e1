import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '../graphql/context';

const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';
const JSON_TYPE = 'application/json';

/** How much the Accept header wants `type` (0 to 1): the most specific matching range decides, as in RFC 9110. */
function quality(ranges: { type: string; q: number }[], type: string): { q: number; index: number } {
  const [major] = type.split('/');
  let best: { q: number; index: number; specificity: number } = { q: 0, index: Infinity, specificity: -1 };
  ranges.forEach((r, index) => {
    const specificity = r.type === type ? 2 : r.type === `${major}/*` ? 1 : r.type === '*/*' ? 0 : -1;
    if (specificity > best.specificity) best = { q: r.q, index, specificity };
  });
  return best;
}

/**
 * The HTTP status of a response whose errors are authentication errors (UNAUTHENTICATED, and
 * INTROSPECTION_DISABLED in production). The GraphQL-over-HTTP spec says a server SHOULD answer
 * `application/json` with 200 whatever the errors: routers (@apollo/gateway, Apollo Router) and
 * older clients treat any other status as a transport failure and replace the GraphQL error with
 * "401: Unauthorized" plus the subgraph's URL. Only a client that prefers
 * `application/graphql-response+json` (GraphiQL, graphql-http clients) gets 401, and only when the
 * response carries no data (that media type requires 2xx as soon as `data` is present).
 * The tie-break follows Apollo's own choice of the response type: application/json unless
 * graphql-response+json is wanted more, or as much and named first.
 */
export function authErrorStatus(accept: string | undefined | null, hasData = false): 200 | 401 {
  if (!accept || hasData) return 200;
  const ranges = accept.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    return { type, q: Number.isFinite(q) ? q : 0 };
  });
  const gql = quality(ranges, GRAPHQL_RESPONSE_JSON);
  const json = quality(ranges, JSON_TYPE);
  if (gql.q <= 0) return 200;
  return gql.q > json.q || (gql.q === json.q && gql.index < json.index) ? 401 : 200;
}

/**
 * Errors carry `http.status: 401` (src/common/errors.ts, the production introspection refusal);
 * this plugin turns that into 200 unless the response is `application/graphql-response+json`
 * without data (see authErrorStatus). Errors of the context function (a bad key) never reach
 * plugins: app.ts applies authErrorStatus to them itself.
 */
export function authStatusPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ request }) {
      return {
        async willSendResponse({ response }) {
          if (response.http.status !== 401) return;
          const hasData = response.body.kind === 'single' ? response.body.singleResult.data != null : true;
          response.http.status = authErrorStatus(request.http?.headers.get('accept'), hasData);
        },
      };
    },
  };
}
