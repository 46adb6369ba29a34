/**
 * The GraphQL type of a field's result, read off its template plan (the same plan that renders
 * the result, so the schema cannot promise what rendering does not give):
 * - `{ from: response }` (the default) is the response message's object type;
 * - a read of a field is that field's type (its nullability kept only for a field read
 *   straight off a message that is always there, `response.x` or `item.x`);
 * - `each` is a non-null list of its item's type;
 * - an `object` template is an object type of its own, named by `resultType` (default: the
 *   field name in PascalCase + `Result`), its nested objects named by appending the key;
 * - `format` is a String, a constant is the scalar of its JSON type;
 * - a node with a value map or a default, an array template and plain data are `JSON`.
 * Planning (reach) comes first, so the proto types are named before any is built.
 */
import protobuf from 'protobufjs';
import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  getNullableType,
  type GraphQLFieldConfigMap,
  type GraphQLOutputType,
} from 'graphql';
import { lookupField, type ReadPlan, type TemplatePlan } from '../routing/route-plan.js';
import type { ProtoTypes } from './proto-types.js';
import { JsonScalar } from './scalars.js';

/** Object types the result templates declare, by name, with where each was declared. */
export type DeclaredObjects = Map<string, string>;

/** `subjectVersions` → `SubjectVersions`. */
export function pascal(name: string): string {
  return name.replace(/(^|_)([a-z0-9])/gi, (_m, _u, c: string) => c.toUpperCase());
}

/**
 * Reaches the proto types a plan reads and declares the object types it makes.
 * @returns the names declared twice (a definition problem).
 */
export function reachResult(plan: TemplatePlan, root: protobuf.Root, types: ProtoTypes, hint: string, declared: DeclaredObjects, where: string): string[] {
  const twice: string[] = [];
  const walk = (p: TemplatePlan, name: string): void => {
    switch (p.kind) {
      case 'read':
        reachRead(p.source, root, types);
        return;
      case 'each':
        reachRead(p.source, root, types);
        return walk(p.item, name);
      case 'object':
        if (declared.has(name)) twice.push(name);
        declared.set(name, where);
        for (const f of p.fields) walk(f.value, name + pascal(f.key));
        return;
      default:
        return;
    }
  };
  walk(plan, hint);
  return twice;
}

function reachRead(read: ReadPlan, root: protobuf.Root, types: ProtoTypes): void {
  const shape = read.shape;
  if (shape.kind === 'message') types.reachOutput(root.lookupType(shape.type));
  else if (shape.kind === 'field' || shape.kind === 'element') types.reachField(lookupField(root, shape.field), 'object');
}

export interface ResultTypeContext {
  readonly root: protobuf.Root;
  readonly types: ProtoTypes;
  /** Object types built so far, by name (each declared name is built once). */
  readonly objects: Map<string, GraphQLObjectType>;
  /** Fields the definition adds to a type (`types:`). */
  readonly extraFields: (typeName: string, existing: readonly string[]) => GraphQLFieldConfigMap<unknown, unknown>;
}

/** The result type of a plan (after reachResult and the names were fixed). */
export function resultType(plan: TemplatePlan, ctx: ResultTypeContext, hint: string): GraphQLOutputType {
  switch (plan.kind) {
    case 'const':
      if (plan.map !== undefined || plan.default !== undefined) return JsonScalar;
      return constType(plan.value);
    case 'format':
      return plan.map !== undefined ? JsonScalar : new GraphQLNonNull(GraphQLString);
    case 'array':
      return JsonScalar;
    case 'read':
      if (plan.map !== undefined || plan.default !== undefined || plan.int64 === 'number') return JsonScalar;
      return readType(plan.source, ctx);
    case 'each': {
      if (plan.map !== undefined || plan.default !== undefined) return JsonScalar;
      const item = resultType(plan.item, ctx, hint);
      return new GraphQLNonNull(new GraphQLList(item instanceof GraphQLNonNull ? item : new GraphQLNonNull(item)));
    }
    case 'object': {
      if (plan.map !== undefined || plan.default !== undefined) return JsonScalar;
      let type = ctx.objects.get(hint);
      if (!type) {
        type = new GraphQLObjectType({
          name: hint,
          fields: () => {
            const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
            for (const f of plan.fields) {
              const t = resultType(f.value, ctx, hint + pascal(f.key));
              // A field its rules may leave out is nullable.
              fields[f.key] = { type: f.omitWhen !== undefined || f.when !== undefined ? getNullableType(t) : t };
            }
            return { ...fields, ...ctx.extraFields(hint, Object.keys(fields)) };
          },
        });
        ctx.objects.set(hint, type);
      }
      return new GraphQLNonNull(type);
    }
  }
}

function constType(value: unknown): GraphQLOutputType {
  if (typeof value === 'string') return new GraphQLNonNull(GraphQLString);
  if (typeof value === 'boolean') return new GraphQLNonNull(GraphQLBoolean);
  if (typeof value === 'number') return new GraphQLNonNull(Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? GraphQLInt : GraphQLFloat);
  return JsonScalar;
}

function readType(read: ReadPlan, ctx: ResultTypeContext): GraphQLOutputType {
  const shape = read.shape;
  // Straight off a root that is always there (the response, the request, the item).
  const direct = read.keys.length <= 1;
  switch (shape.kind) {
    case 'message': {
      const t = ctx.types.output(ctx.root.lookupType(shape.type));
      return read.keys.length === 0 ? new GraphQLNonNull(t) : t;
    }
    case 'field': {
      const t = ctx.types.outputOfField(lookupField(ctx.root, shape.field));
      return direct ? t : getNullableType(t);
    }
    case 'element': {
      const field = lookupField(ctx.root, shape.field);
      const list = getNullableType(ctx.types.outputOfField(field));
      return list instanceof GraphQLList ? (list.ofType as GraphQLOutputType) : list;
    }
    case 'plain':
      return JsonScalar;
  }
}
