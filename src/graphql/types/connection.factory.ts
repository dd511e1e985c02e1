import { Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { PageInfo } from './page-info.type';

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** What services return for a page; totalCount is a thunk so it only costs a query when selected. */
export interface Page<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  count: () => Promise<number>;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  readonly totalCount: Promise<number>;
}

/** Builds the XConnection / XEdge pair for a node type. */
export function createConnectionType<T extends object>(name: string, nodeType: ClassType<T>) {
  @ObjectType(`${name}Edge`, { description: `One ${name} in a page, with its cursor.` })
  class EdgeType {
    @Field({ description: 'Opaque cursor for after/before.' })
    cursor: string;

    @Field(() => nodeType, { description: `The ${name} at this position.` })
    node: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} objects (Relay cursor connection).` })
  class ConnectionType implements ConnectionShape<T> {
    @Field(() => [EdgeType], { description: 'The items of this page with their cursors, in order.' })
    edges: Edge<T>[];

    // GitHub/Shopify clients read `nodes` when they need no cursors; it is the same page as `edges`, not another query.
    @Field(() => [nodeType], { description: 'The items of this page, in order, without cursors (the nodes of `edges`).' })
    get nodes(): T[] {
      return this.edges.map((edge) => edge.node);
    }

    @Field(() => PageInfo, { description: 'Cursors and whether more pages exist.' })
    pageInfo: PageInfo;

    private count: () => Promise<number>;

    @Field(() => Int, { description: 'Number of items matching, across all pages.' })
    get totalCount(): Promise<number> {
      return this.count();
    }

    static from(page: Page<T>): ConnectionType {
      return Object.assign(new ConnectionType(), { edges: page.edges, pageInfo: page.pageInfo, count: page.count });
    }
  }
  return ConnectionType;
}
