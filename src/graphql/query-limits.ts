/**
 * Depth and complexity of an operation, measured on its document before anything runs (the
 * document is validated first, so fragments are known and acyclic):
 * - depth: the longest chain of nested field selections (`{ a { b } }` is 2);
 * - complexity: every selected field costs 1, a field that calls gRPC 10, and what is selected
 *   below a list field counts 10 times (a guess of a list's length that keeps fan-out visible
 *   without knowing the data). `__typename` and introspection fields are free.
 */
import {
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Marks a schema field bound to a gRPC call (its `extensions`). */
export const GRPC_FIELD = 'prismGrpc';
const LIST_FACTOR = 10;
const CALL_COST = 10;

export interface OperationCost {
  readonly depth: number;
  readonly complexity: number;
}

export function measureOperation(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): OperationCost {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const root = schema.getRootType(operation.operation);
  if (!root) return { depth: 0, complexity: 0 };

  const measure = (set: SelectionSetNode, parent: GraphQLCompositeType, seen: ReadonlySet<string>): OperationCost => {
    let depth = 0;
    let complexity = 0;
    for (const selection of set.selections) {
      let inner: OperationCost = { depth: 0, complexity: 0 };
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__typename') continue;
        // Introspection counts too: `__schema { types { fields { type { ofType … } } } }` nests without bound.
        const field = name === '__schema' ? SchemaMetaFieldDef : name === '__type' ? TypeMetaFieldDef : isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        if (!field) continue;
        // Introspection reads the schema, not the backend: bounded by its size and by the
        // depth limit, it costs nothing here (a standard introspection query must pass).
        const introspection = name.startsWith('__') || parent.name.startsWith('__');
        const cost = introspection ? 0 : field.extensions?.[GRPC_FIELD] === true ? CALL_COST : 1;
        const named = getNamedType(field.type);
        let below: OperationCost = { depth: 0, complexity: 0 };
        if (selection.selectionSet && (isObjectType(named) || isInterfaceType(named) || 'getTypes' in named)) {
          below = measure(selection.selectionSet, named as GraphQLCompositeType, seen);
        }
        const factor = !introspection && isListType(getNullableType(field.type)) ? LIST_FACTOR : 1;
        inner = { depth: 1 + below.depth, complexity: cost + factor * below.complexity };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType | undefined) : parent;
        if (condition) inner = measure(selection.selectionSet, condition, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue;
        const condition = schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined;
        if (condition) inner = measure(fragment.selectionSet, condition, new Set([...seen, name]));
      }
      depth = Math.max(depth, inner.depth);
      complexity += inner.complexity;
    }
    return { depth, complexity };
  };
  return measure(operation.selectionSet, root, new Set());
}
