/**
 * Frontend bindings, built one way: a definition text bound to a namespace (with its path
 * prefix and host) becomes the FrontendBindings the route compiler takes. `serve` (through the
 * frontend catalog), `routes --config`, `openapi --config`, `validate` and the `serve --workers`
 * pre-check all build them here, so a config one of them accepts, every one of them accepts.
 */
import { resolve } from 'node:path';
import type { CorsConfig, LoadedConfig } from './gateway-config.js';
import { DefinitionError, type DefinitionProblem } from '../frontends/definition-error.js';
import { DiagnosticCode } from '../frontends/diagnostics.js';
import { parseAnyDefinitions } from '../frontends/load-any-definition.js';
import type { FrontendBinding } from '../routing/compile-route-table.js';
import type { MethodRoleOverrides } from '../upstream/method-kind.js';
import type { Upstream } from '../upstream/upstream.js';

/** A namespace as bindings need it: where calls go (absent offline) and which protos it provides. */
export interface BindingNamespace {
  readonly name: string;
  readonly upstream?: Upstream;
  readonly protoFiles: readonly string[];
  readonly deadlineMs?: number;
  readonly forwardHeaders?: readonly string[];
  /**
   * Serve the pattern's services as gRPC-Web and Connect (src/rpc/): the config's `grpcWeb`,
   * and never when `grpcPassthrough: false` switched the namespace's gRPC interface off.
   */
  readonly grpcWeb?: boolean;
  /** `package.Service/Method` → role, overriding what the proto says. */
  readonly methodRoles?: MethodRoleOverrides;
}

/** Whether a configured namespace serves gRPC-Web and Connect: asked for, and its gRPC interface on. */
export function servesGrpcWeb(ns: { readonly grpcWeb?: boolean; readonly grpcPassthrough?: boolean }): boolean {
  return ns.grpcWeb === true && ns.grpcPassthrough !== false;
}

/** One definition text (one or more frontends) mounted in one namespace. */
export interface BindingSource {
  readonly namespace: string;
  readonly pathPrefix?: string;
  readonly host?: string;
  /** Overrides the listener's CORS settings for this binding's paths. */
  readonly cors?: CorsConfig;
  readonly text: string;
  /** A file path, or `admin:<name>` for definitions applied at run time. */
  readonly source: string;
}

/**
 * Binds every source to its namespace. Problems (an unknown namespace, a definition that does
 * not load) are collected, all of them, and returned with the bindings of the sources that
 * loaded, so a caller can compile those too and report everything in one pass.
 */
export function bindingsFromConfig(
  sources: readonly BindingSource[],
  namespaces: ReadonlyMap<string, BindingNamespace>,
  baseDir: string,
): { bindings: FrontendBinding[]; problems: DefinitionProblem[] } {
  const bindings: FrontendBinding[] = [];
  const problems: DefinitionProblem[] = [];
  for (const entry of sources) {
    const ns = namespaces.get(entry.namespace);
    if (!ns) {
      problems.push({ code: DiagnosticCode.UNKNOWN_REFERENCE, file: entry.source, pointer: '', message: `unknown namespace '${entry.namespace}'` });
      continue;
    }
    try {
      for (const loaded of parseAnyDefinitions(entry.text, entry.source, baseDir)) {
        bindings.push({
          loaded,
          upstream: ns.upstream,
          namespace: ns.name,
          pathPrefix: entry.pathPrefix,
          host: entry.host,
          cors: entry.cors,
          protoFiles: ns.protoFiles,
          deadlineMs: ns.deadlineMs,
          forwardHeaders: ns.forwardHeaders,
        });
      }
    } catch (err) {
      if (!(err instanceof DefinitionError)) throw err;
      problems.push(...err.problems);
    }
  }
  return { bindings, problems };
}

/**
 * A config's namespaces without connecting to anything: no upstream, the protos the config
 * names (an embedded pattern's own protos are known only once it runs, so a frontend served
 * by one names the protos it calls, as the examples do).
 */
export function offlineNamespaces(loaded: LoadedConfig): Map<string, BindingNamespace> {
  return new Map(
    loaded.config.namespaces.map((ns) => [
      ns.name,
      {
        name: ns.name,
        protoFiles: (ns.pattern.protos ?? []).map((p) => resolve(loaded.baseDir, p)),
        deadlineMs: ns.deadlineMs,
        forwardHeaders: ns.forwardHeaders,
        grpcWeb: servesGrpcWeb(ns),
        methodRoles: ns.methodRoles,
      },
    ]),
  );
}
