import {
  type DocumentNode,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** What one operation asks for, measured on the operation as it will execute (fragments expanded). */
export interface OperationMeasure {
  /** Deepest field nesting; a top-level field is at depth 1. */
  depth: number;
  /** Aliased fields, counted at every place a fragment is spread. */
  aliases: number;
  /** Directives on the operation, its fields, fragments and spreads. */
  directives: number;
  /** Cost points by the model in README "Limits" (connections cost their page size). */
  cost: number;
  /** first/last arguments outside 1..pageSizeMax: "first must be between 1 and 100 (at tickets)". */
  pageSizeProblems: string[];
}

export interface MeasureOptions {
  pageSizeDefault: number;
  pageSizeMax: number;
  /** Past this many visited selections the walk stops and reports an unbounded cost (fragment bombs). */
  maxVisits?: number;
}

/**
 * Measures an operation for the limits checked before execution.
 *
 * Cost model (documented in README "Limits"): every field runs under a multiplier, 1 at the root.
 * A connection field (a type named ...Connection with edges) costs multiplier x its page size
 * (first or last, else the default page size) and multiplies the multiplier of everything inside it
 * by that page size; its edges, nodes, node and pageInfo cost nothing more. `_entities` (federation)
 * and `nodes(ids:)` count like a connection of as many items as representations or ids. Any other field returning an object
 * (or a short bounded list of them, like assignees) costs 1 x multiplier; scalars and enums cost 0.
 */
export function measureOperation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> | undefined,
  options: MeasureOptions,
): OperationMeasure {
  const m: OperationMeasure = { depth: 0, aliases: 0, directives: operation.directives?.length ?? 0, cost: 0, pageSizeProblems: [] };
  const maxVisits = options.maxVisits ?? 100_000;
  let visits = 0;
  const defaults = new Map<string, ValueNode | undefined>((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d.defaultValue]));

  const valueOf = (node: ValueNode | undefined): unknown => {
    if (!node) return undefined;
    switch (node.kind) {
      case Kind.VARIABLE: {
        const name = node.name.value;
        if (variables && Object.prototype.hasOwnProperty.call(variables, name)) return variables[name];
        return valueOf(defaults.get(name));
      }
      case Kind.INT:
        return Number(node.value);
      case Kind.LIST:
        return node.values.map(valueOf);
      case Kind.NULL:
        return null;
      default:
        return undefined;
    }
  };

  const rootType = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!rootType) return m;

  // `spread`: fragments already expanded into this field's selection. Like graphql-js's collectFields,
  // a fragment spread twice at one level runs once; it also keeps fragment cycles finite.
  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType, depth: number, multiplier: number, spread: Set<string>): void => {
    for (const sel of set.selections) {
      if (++visits > maxVisits) {
        m.cost = Number.POSITIVE_INFINITY;
        return;
      }
      m.directives += sel.directives?.length ?? 0;
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        if (t && isCompositeType(t)) walk(sel.selectionSet, t, depth, multiplier, spread);
        continue;
      }
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const name = sel.name.value;
        const frag = fragments[name];
        if (!frag || spread.has(name)) continue;
        spread.add(name);
        m.directives += frag.directives?.length ?? 0;
        const t = schema.getType(frag.typeCondition.name.value);
        if (t && isCompositeType(t)) walk(frag.selectionSet, t, depth, multiplier, spread);
        continue;
      }
      // __Type.ofType is a one-to-one link down a type reference (NonNull -> List -> Named, null below
      // that); it cannot fan out, so it does not count as a level. getIntrospectionQuery() nests it 9
      // deep, which would otherwise put GraphiQL's own introspection at depth 15.
      const fieldDepth = parent.name === '__Type' && sel.name.value === 'ofType' ? depth : depth + 1;
      if (fieldDepth > m.depth) m.depth = fieldDepth;
      if (sel.alias) m.aliases++;
      const def = fieldDef(schema, parent, sel.name.value);
      if (!def || !sel.selectionSet) continue;
      const named = getNamedType(def.type);
      if (!isCompositeType(named)) continue;

      let childMultiplier = multiplier;
      const arg = (name: string) => valueOf(sel.arguments?.find((a) => a.name.value === name)?.value);
      if (isObjectType(named) && named.name.endsWith('Connection') && named.getFields().edges) {
        const first = arg('first');
        const last = arg('last');
        const given = first ?? last;
        let size = options.pageSizeDefault;
        if (given !== undefined && given !== null) {
          const which = first !== undefined && first !== null ? 'first' : 'last';
          if (typeof given !== 'number' || !Number.isInteger(given) || given < 1 || given > options.pageSizeMax) {
            m.pageSizeProblems.push(`${which} must be between 1 and ${options.pageSizeMax} (at ${sel.alias?.value ?? sel.name.value})`);
          } else size = given;
        }
        childMultiplier = multiplier * size;
        m.cost += childMultiplier;
      } else if (sel.name.value === '_entities' || (sel.name.value === 'nodes' && parent === schema.getQueryType())) {
        const list = arg(sel.name.value === 'nodes' ? 'ids' : 'representations');
        childMultiplier = multiplier * Math.max(1, Array.isArray(list) ? list.length : 1);
        m.cost += childMultiplier;
      } else if (!isConnectionPart(parent, sel.name.value)) {
        m.cost += multiplier;
      }
      walk(sel.selectionSet, named, fieldDepth, childMultiplier, new Set());
    }
  };
  walk(operation.selectionSet, rootType, 0, 1, new Set());
  return m;
}

function fieldDef(schema: GraphQLSchema, parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === '__typename') return TypeNameMetaFieldDef;
  if (parent === schema.getQueryType()) {
    if (name === '__schema') return SchemaMetaFieldDef;
    if (name === '__type') return TypeMetaFieldDef;
  }
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

/** edges/nodes/pageInfo of a connection and node of an edge: their cost is the connection's page size. */
function isConnectionPart(parent: GraphQLCompositeType, field: string): boolean {
  if (parent.name.endsWith('Connection')) return field === 'edges' || field === 'nodes' || field === 'pageInfo';
  if (parent.name.endsWith('Edge')) return field === 'node';
  return false;
}

/**
 * Selections written in a document (fields, fragment spreads, inline fragments, in every
 * operation and fragment), without expanding fragments: what validation walks. Linear in the
 * document, so it can run before validation, whose field-merging rule compares fields pairwise.
 */
export function countSelections(document: DocumentNode): number {
  let count = 0;
  const pending: SelectionSetNode[] = [];
  for (const def of document.definitions) if ('selectionSet' in def && def.selectionSet) pending.push(def.selectionSet);
  for (let set = pending.pop(); set; set = pending.pop()) {
    count += set.selections.length;
    for (const sel of set.selections) if (sel.kind !== Kind.FRAGMENT_SPREAD && sel.selectionSet) pending.push(sel.selectionSet);
  }
  return count;
}
