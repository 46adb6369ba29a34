/**
 * Compilation of a GRAPHQL frontend: definition + protos → a GraphqlEndpoint. Like a REST
 * frontend, everything is checked here and every problem reported with its location in one
 * pass: the methods (a Query or Mutation field needs a unary method, a Subscription field a
 * server-streaming one), the arguments against the request fields they feed (through the same
 * request mapper as REST params: renames, defaults, value maps, constants), the result
 * templates against the response (the same template language), the error mappings, and
 * finally the schema itself (graphql-js's own validation). Nothing is resolved per request:
 * resolvers close over compiled fields.
 */
import { LRUCache } from 'lru-cache';
import protobuf from 'protobufjs';
import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  lexicographicSortSchema,
  parseType,
  printSchema,
  validateSchema,
  type GraphQLArgumentConfig,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigMap,
  type GraphQLInputType,
  type GraphQLNamedType,
  type TypeNode,
} from 'graphql';
import type { ErrorMapping, FrontendDefinition, GraphqlArgument, GraphqlConfig, GraphqlField, ParamMapping } from '../frontends/definition.js';
import { DiagnosticCode, nestedSink, type DiagnosticSink } from '../frontends/diagnostics.js';
import { resolveDefaultService, resolveGrpcMethod } from '../frontends/resolve-grpc-method.js';
import { loadProtoRoot } from '../grpc/proto-root.js';
import { methodPath } from '../grpc/service-definition.js';
import { compileErrorPlans, planErrorMappings } from '../mapping/error-mapper.js';
import { planFieldPath, typeName } from '../mapping/field-path.js';
import type { JsonRenderOptions } from '../mapping/message-json.js';
import { compileRequestMapper } from '../mapping/request-mapper.js';
import { compileTemplatePlan, planTemplate } from '../mapping/template.js';
import type { FrontendBinding } from '../frontends/frontend-binding.js';
import type { CompiledFrontend } from '../routing/compiled-route.js';
import { compileNegotiator } from '../routing/content-negotiation.js';
import { joinPaths } from '../routing/path-template.js';
import { createResponseCache } from '../routing/response-cache.js';
import type { TemplatePlan } from '../routing/route-plan.js';
import type { ErrorMapper } from '../core/render-error.js';
import { resolveField, subscribeField, type GraphqlContext } from './field-call.js';
import { GRPC_FIELD } from './query-limits.js';
import { PARENT_KEY, type CompiledGraphqlField, type GraphqlEndpoint, type OperationKind } from './graphql-endpoint.js';
import { createDocumentCache } from './prepared-document.js';
import { BUILTIN_NAMES, ProtoTypes } from './proto-types.js';
import { pascal, reachResult, resultType, type DeclaredObjects } from './result-types.js';
import { CUSTOM_SCALARS, JsonScalar } from './scalars.js';

/** Persisted query texts kept per endpoint (least recently used dropped; a client then resends the text). */
const MAX_PERSISTED = 1000;

/** The default endpoint path under the binding's prefix. */
export const DEFAULT_GRAPHQL_PATH = '/graphql';
export const GRAPHQL_DEFAULTS = Object.freeze({ maxDepth: 15, maxComplexity: 5000, timeoutMs: 30_000, deadlineMs: 30_000 });

/**
 * Results render as proto3 JSON with JSON names (the derived types' field names), default values
 * included (a non-null scalar is always there) and 64-bit integers as strings (the Int64 scalar).
 */
export const GRAPHQL_JSON: JsonRenderOptions = { names: 'json', emitDefaults: true, int64: 'string' };


/** GraphQL's Name, without the `__` prefix introspection reserves. */
const GRAPHQL_NAME = /^(?!__)[_A-Za-z][_0-9A-Za-z]*$/;

const OPERATIONS: readonly OperationKind[] = ['query', 'mutation', 'subscription'];
const ROOT_NAMES: Record<OperationKind, string> = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' };
const BUILTIN_SCALARS = new Map<string, GraphQLNamedType>([GraphQLString, GraphQLInt, GraphQLFloat, GraphQLBoolean, GraphQLID].map((t) => [t.name, t]));

/** What the GraphQL compiler is given of a frontend: the same binding the route compiler takes. */
export type GraphqlBinding = FrontendBinding;

/** A field as planned (first pass): everything but its GraphQL types. */
interface PlannedField {
  readonly owner: string;
  readonly name: string;
  readonly at: string;
  readonly spec: GraphqlField;
  readonly kind: OperationKind | 'type';
  readonly method: protobuf.Method;
  readonly compiled: CompiledGraphqlField;
  readonly plan: TemplatePlan;
  /** Argument name → its target field (undefined: the whole request, `to: '*'`). */
  readonly targets: ReadonlyMap<string, protobuf.Field | undefined>;
  readonly resultHint: string;
}

/**
 * Compiles one GRAPHQL frontend binding; problems go to `report` (pointers into the document).
 * @returns the endpoint and the frontend routing sees, or undefined when a problem was reported.
 */
export function compileGraphqlFrontend(binding: GraphqlBinding, def: FrontendDefinition, report: DiagnosticSink): { frontend: CompiledFrontend; endpoint: GraphqlEndpoint } | undefined {
  const config = def.graphql!;
  let problems = 0;
  const sink: DiagnosticSink = (code, pointer, message) => {
    problems++;
    report(code, pointer, message);
  };
  let root: protobuf.Root;
  try {
    root = loadProtoRoot([...(def.protos ?? []), ...(binding.protoFiles ?? [])], [binding.loaded.baseDir, ...(binding.includeDirs ?? [])]);
  } catch (err) {
    sink(DiagnosticCode.PROTO_LOAD, '/protos', (err as Error).message);
    return undefined;
  }
  const defaultService = resolveDefaultService(root, config.service, '/graphql/service', sink);

  const frontendPlans = planErrorMappings(config.errors ?? [], { json: GRAPHQL_JSON }, 'frontend', nestedSink(sink, '/graphql/errors'));
  const frontendMapError = config.errors?.length && frontendPlans ? compileErrorPlans(frontendPlans, { json: GRAPHQL_JSON }) : undefined;
  const forwardHeaders = [...new Set(['x-request-id', ...(binding.forwardHeaders ?? config.forwardHeaders ?? []).map((h) => h.toLowerCase())])];

  // First pass: methods, request mappers, result plans; types are reached, not built.
  const declared: DeclaredObjects = new Map();
  const planned: PlannedField[] = [];
  const typeFields = new Map<string, PlannedField[]>();
  // This first instance only gathers the result types' names; `named` below builds the types.
  const types = new ProtoTypes({ reserved: new Set() });
  const plan = (owner: string, name: string, spec: GraphqlField, kind: OperationKind | 'type', at: string) => {
    // Names GraphQL refuses are caught here, where the pointer can say which one.
    for (const [what, n, pointer] of [['field', name, at], ...Object.keys(spec.args ?? {}).map((a) => ['argument', a, `${at}/args/${pointerKey(a)}`])]) {
      if (!GRAPHQL_NAME.test(n)) sink(DiagnosticCode.GRAPHQL_SCHEMA, pointer, `'${n}' is not a GraphQL ${what} name (letters, digits and _, not starting with a digit or __)`);
    }
    if (spec.resultType !== undefined && !GRAPHQL_NAME.test(spec.resultType)) sink(DiagnosticCode.GRAPHQL_SCHEMA, `${at}/resultType`, `'${spec.resultType}' is not a GraphQL type name`);
    const field = planField(owner, name, spec, kind, at, { root, defaultService, config, binding, sink, frontendMapError, types, declared });
    if (field) planned.push(field);
    return field;
  };
  for (const kind of OPERATIONS) {
    for (const [name, spec] of Object.entries(config[kind] ?? {})) plan(ROOT_NAMES[kind], name, spec, kind, `/graphql/${kind}/${pointerKey(name)}`);
  }
  for (const [typeName, block] of Object.entries(config.types ?? {})) {
    if (!GRAPHQL_NAME.test(typeName)) sink(DiagnosticCode.GRAPHQL_SCHEMA, `/graphql/types/${pointerKey(typeName)}`, `'${typeName}' is not a GraphQL type name`);
    if (BUILTIN_NAMES.has(typeName)) sink(DiagnosticCode.GRAPHQL_SCHEMA, `/graphql/types/${pointerKey(typeName)}`, `fields cannot be added to the built-in type ${typeName}`);
    for (const [name, spec] of Object.entries(block.fields)) {
      const field = plan(typeName, name, spec, 'type', `/graphql/types/${pointerKey(typeName)}/fields/${pointerKey(name)}`);
      if (field) typeFields.set(typeName, [...(typeFields.get(typeName) ?? []), field]);
    }
  }
  if (Object.keys(config.query ?? {}).length === 0) sink(DiagnosticCode.GRAPHQL_SCHEMA, '/graphql', 'a GraphQL schema needs at least one query field (graphql.query)');
  if (problems > 0) return undefined;

  // Names: the declared result types are reserved, then every reached proto type is named.
  const reserved = new Set(declared.keys());
  // A field added under `types:` never replaces one the type has.
  const extraFields = (name: string, existing: readonly string[]): GraphQLFieldConfigMap<unknown, unknown> => {
    const added = typeFields.get(name) ?? [];
    for (const f of added) {
      if (existing.includes(f.name)) sink(DiagnosticCode.GRAPHQL_SCHEMA, f.at, `type ${name} already has a field '${f.name}'`);
    }
    return fieldsOf(added.filter((f) => !existing.includes(f.name)));
  };
  const named = new ProtoTypes({ reserved, extraFields });
  // The reach is repeated on the instance that knows the reserved names (cheap, and keeps
  // ProtoTypes free of a "reserve later" state).
  for (const f of planned) reachField(f, root, named);
  for (const clash of named.freezeNames()) sink(DiagnosticCode.GRAPHQL_SCHEMA, '/graphql', `two types of the schema would both be named ${clash}`);
  for (const [name, where] of declared) {
    if (BUILTIN_NAMES.has(name)) sink(DiagnosticCode.GRAPHQL_SCHEMA, where, `result type name ${name} is taken by a built-in type`);
  }
  if (problems > 0) return undefined;

  // Second pass: GraphQL types, resolvers, the schema.
  const objects = new Map<string, GraphQLObjectType>();
  const resultCtx = { root, types: named, objects, extraFields };
  const configs = new Map<PlannedField, GraphQLFieldConfig<unknown, unknown>>();
  function fieldsOf(fields: readonly PlannedField[]): GraphQLFieldConfigMap<unknown, unknown> {
    const out: GraphQLFieldConfigMap<unknown, unknown> = {};
    for (const f of fields) {
      let c = configs.get(f);
      if (!c) {
        c = fieldConfig(f, resultCtx, sink);
        configs.set(f, c);
      }
      out[f.name] = c;
    }
    return out;
  }
  const roots: Partial<Record<OperationKind, GraphQLObjectType>> = {};
  for (const kind of OPERATIONS) {
    const fields = planned.filter((f) => f.kind === kind);
    if (fields.length > 0) roots[kind] = new GraphQLObjectType({ name: ROOT_NAMES[kind], fields: () => fieldsOf(fields) });
  }
  let schema: GraphQLSchema;
  try {
    schema = new GraphQLSchema({ query: roots.query, mutation: roots.mutation, subscription: roots.subscription, });
    for (const e of validateSchema(schema)) sink(DiagnosticCode.GRAPHQL_SCHEMA, '/graphql', e.message);
  } catch (err) {
    sink(DiagnosticCode.GRAPHQL_SCHEMA, '/graphql', (err as Error).message);
    return undefined;
  }
  checkTypeExtensions(schema, config, typeFields, sink);
  if (problems > 0) return undefined;

  const path = joinPaths(binding.pathPrefix, config.path ?? DEFAULT_GRAPHQL_PATH);
  const frontend: CompiledFrontend = {
    name: def.name,
    mountPath: path,
    host: binding.host?.toLowerCase(),
    ...(binding.cors ? { cors: binding.cors } : {}),
    namespace: binding.namespace,
    negotiator: compileNegotiator([{ type: 'application/json', quality: 1 }], ['application/json'], undefined),
    mapError: frontendMapError ?? compileErrorPlans([], { json: GRAPHQL_JSON }),
    unknownQuery: 'ignore',
    trailingSlash: false,
    upstream: binding.upstream,
    cache: createResponseCache(),
  };
  const endpoint: GraphqlEndpoint = {
    name: def.name,
    path,
    ...(frontend.host === undefined ? {} : { host: frontend.host }),
    ...(binding.namespace === undefined ? {} : { namespace: binding.namespace }),
    frontend,
    schema,
    // Sorted: the printout does not depend on the order types were first reached.
    sdl: printSchema(lexicographicSortSchema(schema)),
    graphiql: config.graphiql === true,
    jit: config.jit === true,
    ...(config.persistedQueries === true ? { persisted: new LRUCache<string, string>({ max: MAX_PERSISTED }) } : {}),
    limits: {
      maxDepth: config.maxDepth ?? GRAPHQL_DEFAULTS.maxDepth,
      maxComplexity: config.maxComplexity ?? GRAPHQL_DEFAULTS.maxComplexity,
      timeoutMs: config.timeoutMs ?? GRAPHQL_DEFAULTS.timeoutMs,
    },
    ...(binding.upstream ? { upstream: binding.upstream } : {}),
    forwardHeaders,
    ...(frontendMapError ? { mapError: frontendMapError } : {}),
    documents: createDocumentCache(),
    fields: planned.map((f) => ({ coordinate: f.compiled.coordinate, grpcPath: f.compiled.grpcPath })),
  };
  return { frontend, endpoint };
}

interface PlanContext {
  readonly root: protobuf.Root;
  readonly defaultService?: protobuf.Service;
  readonly config: GraphqlConfig;
  readonly binding: GraphqlBinding;
  readonly sink: DiagnosticSink;
  readonly frontendMapError?: ErrorMapper;
  readonly types: ProtoTypes;
  readonly declared: DeclaredObjects;
}

function planField(owner: string, name: string, spec: GraphqlField, kind: OperationKind | 'type', at: string, ctx: PlanContext): PlannedField | undefined {
  let problems = 0;
  const sink: DiagnosticSink = (code, pointer, message) => {
    problems++;
    ctx.sink(code, pointer, message);
  };
  const method = resolveGrpcMethod(spec.grpc, { root: ctx.root, namesDefaultService: ctx.config.service !== undefined, defaultService: ctx.defaultService }, nestedSink(sink, `${at}/grpc`));
  if (!method) return undefined;
  const requestType = method.resolvedRequestType!;
  const responseType = method.resolvedResponseType!;
  if (method.requestStream) {
    sink(DiagnosticCode.UNSUPPORTED, `${at}/grpc`, `method '${spec.grpc}' is ${method.responseStream ? 'bidirectional' : 'client'} streaming; GraphQL fields call unary methods, Subscription fields server-streaming ones`);
  } else if (kind === 'subscription' && !method.responseStream) {
    sink(DiagnosticCode.UNSUPPORTED, `${at}/grpc`, `method '${spec.grpc}' is unary; a Subscription field needs a server-streaming method (put this field under query or mutation)`);
  } else if (kind !== 'subscription' && method.responseStream) {
    sink(DiagnosticCode.UNSUPPORTED, `${at}/grpc`, `method '${spec.grpc}' is server-streaming; only Subscription fields may call it`);
  }
  if (kind !== 'type' && spec.parent !== undefined) sink(DiagnosticCode.UNSUPPORTED, `${at}/parent`, `a ${ROOT_NAMES[kind]} field has no parent object; 'parent' is for fields added to a type under 'types'`);

  // Arguments, constants and parent values become ParamMappings over the body the resolver
  // builds: `{ ...arguments, $parent: parent }`.
  const params: ParamMapping[] = [];
  const pointers: string[] = [];
  const targets = new Map<string, protobuf.Field | undefined>();
  // Which params wrote their `to` (an argument's defaults to its name: nothing to point at).
  const explicitTo = new Set<number>();
  const implicitTo = new Set<number>();
  for (const [argName, arg] of Object.entries(spec.args ?? {})) {
    const to = arg.to ?? argName;
    if (arg.to !== undefined) explicitTo.add(params.length);
    params.push({
      from: `body.${argName}`,
      to,
      ...(arg.required ? { required: true } : {}),
      ...(arg.default !== undefined ? { default: arg.default } : {}),
      ...(arg.map !== undefined ? { map: arg.map } : {}),
      ...(arg.mapOptions !== undefined ? { mapOptions: arg.mapOptions } : {}),
      ...(arg.pattern !== undefined ? { pattern: arg.pattern } : {}),
    });
    pointers.push(`${at}/args/${pointerKey(argName)}`);
    implicitTo.add(pointers.length - 1);
    if (to === '*') targets.set(argName, undefined);
    else {
      const chain = planFieldPath(requestType, to, () => {});
      if (chain) targets.set(argName, chain[chain.length - 1]);
    }
  }
  for (const [to, value] of Object.entries(spec.constants ?? {})) {
    params.push({ const: value, to });
    pointers.push(`${at}/constants/${pointerKey(to)}`);
  }
  for (const [to, from] of Object.entries(spec.parent ?? {})) {
    params.push({ from: `body.${PARENT_KEY}.${from}`, to });
    pointers.push(`${at}/parent/${pointerKey(to)}`);
  }
  // The mapper reports against its params list (`/3/to`): translated to where each came from.
  const paramSink: DiagnosticSink = (code, pointer, message) => {
    const m = /^\/(\d+)(\/.*)?$/.exec(pointer);
    const base = m ? pointers[Number(m[1])] : `${at}/args`;
    const rest = m?.[2] ?? '';
    const index = m ? Number(m[1]) : -1;
    const dropped = rest === '/from' || rest === '/const' || (rest === '/to' && (!base.includes('/args/') || (implicitTo.has(index) && !explicitTo.has(index))));
    sink(code, base + (dropped ? '' : rest), message.replace(/body field '\$parent\.([^']*)'/, "parent field '$1'").replace(/body field '([^']*)'/, "argument '$1'"));
  };
  const mapped = compileRequestMapper(requestType, params, paramSink, { lenientStrings: true });

  const scope = { response: responseType, request: requestType, metadata: true, json: GRAPHQL_JSON };
  const resultPlan = planTemplate(spec.result ?? { from: 'response' }, scope, sink, `${at}/result`);
  const resultHint = spec.resultType ?? (kind === 'type' ? `${owner}${pascal(name)}Result` : `${pascal(name)}Result`);
  if (resultPlan) {
    for (const twice of reachResult(resultPlan, ctx.root, ctx.types, resultHint, ctx.declared, `${at}/result`)) {
      sink(DiagnosticCode.GRAPHQL_SCHEMA, `${at}/resultType`, `result type ${twice} is declared by two fields; name one with 'resultType'`);
    }
  }
  // Error mappings: the field's own first, then the frontend's.
  let mapError = ctx.frontendMapError;
  if (spec.errors?.length) {
    const plans = planErrorMappings(spec.errors as ErrorMapping[], { json: GRAPHQL_JSON, request: requestType }, 'route', nestedSink(sink, `${at}/errors`));
    if (plans) mapError = compileErrorPlans(plans, { json: GRAPHQL_JSON, request: requestType }, undefined, ctx.frontendMapError);
  }
  if (problems > 0 || !resultPlan) return undefined;
  const coordinate = `${owner}.${name}`;
  const compiled: CompiledGraphqlField = {
    coordinate,
    grpcPath: methodPath(method),
    requestType,
    responseType,
    mapRequest: mapped.mapper,
    render: compileTemplatePlan(resultPlan, scope),
    role: spec.role ?? (kind === 'mutation' ? 'write' : 'read'),
    deadlineMs: spec.deadlineMs ?? ctx.binding.deadlineMs ?? ctx.config.deadlineMs ?? GRAPHQL_DEFAULTS.deadlineMs,
    ...(mapError ? { mapError } : {}),
    streaming: kind === 'subscription',
  };
  return { owner, name, at, spec, kind, method, compiled, plan: resultPlan, targets, resultHint };
}

/** Reaches everything a planned field's arguments and result use. */
function reachField(f: PlannedField, root: protobuf.Root, types: ProtoTypes): void {
  reachResult(f.plan, root, types, f.resultHint, new Map(), '');
  for (const [argName, target] of f.targets) {
    const arg = f.spec.args![argName];
    if (arg.type !== undefined || arg.map !== undefined) continue;
    if (target === undefined) types.reachInput(f.compiled.requestType);
    else types.reachField(target, 'input');
  }
}

function fieldConfig(f: PlannedField, ctx: Parameters<typeof resultType>[1], sink: DiagnosticSink): GraphQLFieldConfig<unknown, unknown> {
  const args: Record<string, GraphQLArgumentConfig> = {};
  for (const [argName, arg] of Object.entries(f.spec.args ?? {})) {
    const type = argumentType(arg, f.targets.get(argName), f.compiled.requestType, ctx.types, nestedSink(sink, `${f.at}/args/${pointerKey(argName)}`));
    if (type) args[argName] = { type, ...(arg.description === undefined ? {} : { description: arg.description }) };
  }
  // Fields that call gRPC are nullable whatever the template gives: a failed field is null
  // with an entry in `errors`, and the other fields (its siblings in a list too) still resolve.
  const type = getNullableType(resultType(f.plan, ctx, f.resultHint));
  const description = f.spec.description ?? `Calls ${f.compiled.grpcPath.slice(1)}.`;
  const field = f.compiled;
  if (f.kind === 'subscription') {
    return {
      type,
      args,
      description,
      subscribe: (_source, values, context) => subscribeField(field, values, context as GraphqlContext),
      extensions: { [GRPC_FIELD]: true },
      // Each event is the rendered message (or the error that ended the stream).
      resolve: (event) => event,
    };
  }
  return { type, args, description, resolve: (source, values, context) => resolveField(field, source, values, context as GraphqlContext), extensions: { [GRPC_FIELD]: true } };
}

/**
 * An argument's GraphQL type: its `type` as written, else String for a value-mapped argument,
 * else the target field's input type; `required` makes it non-null. A written type is checked
 * against the field it feeds.
 */
function argumentType(arg: GraphqlArgument, target: protobuf.Field | undefined, requestType: protobuf.Type, types: ProtoTypes, sink: DiagnosticSink): GraphQLInputType | undefined {
  let type: GraphQLInputType | undefined;
  if (arg.type !== undefined) {
    let node: TypeNode;
    try {
      node = parseType(arg.type);
    } catch (err) {
      sink(DiagnosticCode.GRAPHQL_SCHEMA, '/type', `'${arg.type}' is not a GraphQL type: ${(err as Error).message}`);
      return undefined;
    }
    type = resolveTypeNode(node, types, (name) => sink(DiagnosticCode.GRAPHQL_SCHEMA, '/type', `unknown type '${name}' in '${arg.type}'`));
    if (!type) return undefined;
    if (arg.map === undefined && target) {
      const mismatch = typeMismatch(type, target);
      if (mismatch) sink(DiagnosticCode.TYPE_MISMATCH, '/type', `argument type ${String(type)} cannot feed field '${target.name}' (${describeProto(target)}): ${mismatch}`);
    }
  } else if (arg.map !== undefined) type = GraphQLString;
  else type = target ? types.inputOfField(target) : types.input(requestType);
  if (arg.required && !isNonNullType(type)) type = new GraphQLNonNull(type);
  return type;
}

function resolveTypeNode(node: TypeNode, types: ProtoTypes, unknown: (name: string) => void): GraphQLInputType | undefined {
  if (node.kind === Kind.NON_NULL_TYPE) {
    const inner = resolveTypeNode(node.type, types, unknown);
    return inner && new GraphQLNonNull(inner as never);
  }
  if (node.kind === Kind.LIST_TYPE) {
    const inner = resolveTypeNode(node.type, types, unknown);
    return inner && new GraphQLList(inner);
  }
  const name = node.name.value;
  const named = BUILTIN_SCALARS.get(name) ?? CUSTOM_SCALARS.get(name) ?? types.named(name);
  if (!named || !isInputType(named)) return void unknown(name);
  return named;
}

/** Why a written argument type cannot feed a field, or undefined when it can. */
function typeMismatch(type: GraphQLInputType, field: protobuf.Field): string | undefined {
  const list = isListType(getNullableType(type));
  if (field.map) return getNamedType(type) === JsonScalar ? undefined : 'a map field takes JSON';
  if (field.repeated && !list) return 'the field is repeated; the argument must be a list';
  if (!field.repeated && list) return 'the field is not repeated; the argument cannot be a list';
  const named = getNamedType(type);
  if (named === JsonScalar) return undefined;
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    if (isInputObjectType(named)) return undefined;
    return isScalarType(named) && resolved.fullName.startsWith('.google.protobuf.') ? undefined : 'a message field takes an input object';
  }
  if (isInputObjectType(named)) return 'an input object cannot feed a scalar or enum field';
  if (field.type === 'bool' && (named === GraphQLInt || named === GraphQLFloat)) return 'a bool field takes Boolean';
  if (field.type !== 'bool' && field.type !== 'string' && named === GraphQLBoolean) return 'a Boolean feeds only bool and string fields';
  return undefined;
}

function describeProto(field: protobuf.Field): string {
  return `${field.repeated ? 'repeated ' : ''}${field.resolvedType ? typeName(field.resolvedType) : field.type}`;
}

/**
 * Fields added under `types:` must land on an object type of the schema, must not replace one
 * of its fields, and their `parent` values must name fields the parent has.
 */
function checkTypeExtensions(schema: GraphQLSchema, config: GraphqlConfig, typeFields: Map<string, PlannedField[]>, sink: DiagnosticSink): void {
  for (const [name, fields] of typeFields) {
    const type = schema.getType(name);
    const at = `/graphql/types/${pointerKey(name)}`;
    if (!type || !isObjectType(type)) {
      const objects = Object.values(schema.getTypeMap()).filter((t) => isObjectType(t) && !t.name.startsWith('__') && !Object.values(ROOT_NAMES).includes(t.name)).map((t) => t.name);
      sink(DiagnosticCode.GRAPHQL_SCHEMA, at, `the schema has no object type ${name} (it has ${objects.sort().join(', ') || 'none'})`);
      continue;
    }
    const spec = config.types![name].fields;
    const own = Object.keys(type.getFields()).filter((k) => !Object.hasOwn(spec, k));
    for (const f of fields) {
      for (const [to, from] of Object.entries(f.spec.parent ?? {})) {
        const first = from.split('.')[0];
        if (!own.includes(first)) sink(DiagnosticCode.UNKNOWN_FIELD, `${f.at}/parent/${pointerKey(to)}`, `type ${name} has no field '${first}' (it has ${own.join(', ')})`);
      }
    }
  }
}

function pointerKey(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
