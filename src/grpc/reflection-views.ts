/**
 * What server reflection shows each caller: one namespace's services and files (the call names
 * it with `x-prism-namespace`), or the union of the namespaces it may read. The reflection
 * services themselves are part of every view, as on any gRPC server that serves them.
 *
 * A namespace's descriptors are built on the first reflection call that needs them, not at
 * start: describing a namespace parses its protos again (about a second of CPU for the registry
 * with descriptor.proto), which a gateway nobody reflects on should not pay, nor its tests.
 */
import { describeProtoFiles, mergeDescriptorPools, type DescriptorPool } from './reflection-descriptors.js';
import { REFLECTION_SERVICES, reflectionProtoFiles, type ReflectionView } from './reflection-service.js';

export interface ReflectedNamespace {
  readonly name: string;
  readonly protoFiles: readonly string[];
  /** The services the listener serves for it (fully qualified). */
  readonly services: readonly string[];
}

export interface ReflectionViews {
  /** Whether `namespace` is reflected (its gRPC interface is on). */
  has(namespace: string): boolean;
  /** The namespaces reflected, in configuration order. */
  readonly names: readonly string[];
  /**
   * One namespace's view.
   * @throws ProtoLoadError or Error when its protos cannot be described.
   */
  view(namespace: string): ReflectionView;
  /** The union of `namespaces`' views; one whose protos cannot be described is left out (and reported). */
  union(namespaces: readonly string[]): ReflectionView;
}

/** Distinct unions kept (one per set of readable namespaces); beyond it the cache starts over. */
const MAX_UNIONS = 64;

/**
 * Views over `namespaces`; `report` hears of a namespace whose protos cannot be described when
 * a union leaves it out.
 */
export function createReflectionViews(namespaces: readonly ReflectedNamespace[], report: (namespace: string, err: unknown) => void): ReflectionViews {
  const byName = new Map(namespaces.map((ns) => [ns.name, ns]));
  // Namespaces loading the same protos (several registries) share one description.
  const pools = new Map<string, DescriptorPool>();
  const views = new Map<string, ReflectionView>();
  const unions = new Map<string, ReflectionView>();
  let own: DescriptorPool | undefined;

  const poolOf = (ns: ReflectedNamespace): DescriptorPool => {
    const key = ns.protoFiles.join('\n');
    let pool = pools.get(key);
    if (!pool) pools.set(key, (pool = describeProtoFiles([...ns.protoFiles, ...reflectionProtoFiles])));
    return pool;
  };

  // A namespace that could not be described is not tried again on every call.
  const failures = new Map<string, unknown>();
  const view = (name: string): ReflectionView => {
    let found = views.get(name);
    if (!found) {
      if (failures.has(name)) throw failures.get(name);
      const ns = byName.get(name)!;
      try {
        found = { services: [...ns.services, ...REFLECTION_SERVICES], pool: poolOf(ns) };
      } catch (err) {
        failures.set(name, err);
        throw err;
      }
      views.set(name, found);
    }
    return found;
  };

  return {
    has: (namespace) => byName.has(namespace),
    names: namespaces.map((ns) => ns.name),
    view,
    union(names) {
      const key = names.join('\n');
      const cached = unions.get(key);
      if (cached) return cached;
      const parts: ReflectionView[] = [];
      for (const name of names) {
        try {
          parts.push(view(name));
        } catch (err) {
          report(name, err);
        }
      }
      own ??= describeProtoFiles(reflectionProtoFiles);
      const services = [...new Set([...parts.flatMap((p) => p.services), ...REFLECTION_SERVICES])];
      const union: ReflectionView = { services, pool: mergeDescriptorPools([...parts.map((p) => p.pool), own]) };
      if (unions.size >= MAX_UNIONS) unions.clear();
      unions.set(key, union);
      return union;
    },
  };
}
