import { performance } from 'node:perf_hooks';

export interface GraphQLResult<T> {
  data: T;
  /** Client-side round trip: request sent to response body parsed. */
  ms: number;
  requestId: string;
}

/** A minimal GraphQL-over-HTTP client for the benchmark; any GraphQL error fails the run. */
export class GraphQLClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async request<T>(query: string, variables: Record<string, unknown> = {}, requestId?: string): Promise<GraphQLResult<T>> {
    const started = performance.now();
    const res = await fetch(`${this.baseUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${this.apiKey}`,
        ...(requestId ? { 'x-request-id': requestId } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T | null; errors?: { message: string }[] };
    const ms = performance.now() - started;
    if (!res.ok || body.errors?.length || !body.data) {
      throw new Error(`GraphQL request failed (HTTP ${res.status}): ${JSON.stringify(body.errors ?? body)}`);
    }
    return { data: body.data, ms, requestId: res.headers.get('x-request-id') ?? '' };
  }
}
