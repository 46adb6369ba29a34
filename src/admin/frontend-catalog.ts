/**
 * The frontends a gateway serves and the namespaces they are bound to: loaded from the config
 * files at start, then changed through the admin API. Every change is compiled into a complete
 * new route table before it is accepted, so a rejected change leaves the served table as it was.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DefinitionError } from '../frontends/definition-error.js';
import { parseAnyDefinitions as parseDefinitions } from '../frontends/load-any-definition.js';
import { bindingsFromConfig, type BindingSource } from '../config/bindings-from-config.js';
import type { CorsConfig } from '../config/gateway-config.js';
import { compileRouteTable } from '../routing/compile-route-table.js';
import type { RouteTable } from '../routing/route-table.js';
import { attachRpcIndex } from '../rpc/attach-rpc-index.js';
import type { MethodRoleOverrides } from '../upstream/method-kind.js';
import type { Upstream } from '../upstream/upstream.js';

/** A namespace as the catalog needs it: where its calls go and which protos it provides. */
export interface NamespaceTarget {
  readonly name: string;
  readonly upstream: Upstream;
  readonly protoFiles: readonly string[];
  readonly deadlineMs?: number;
  readonly forwardHeaders?: readonly string[];
  /** Serve gRPC-Web and Connect (config/bindings-from-config.ts `servesGrpcWeb`). */
  readonly grpcWeb?: boolean;
  readonly methodRoles?: MethodRoleOverrides;
}

/** One definition text (one or more frontends) bound to one namespace. */
export interface FrontendEntry extends BindingSource {
  /** The frontends the text defines (admin-applied texts define exactly one). */
  readonly names: readonly string[];
  readonly namespace: string;
  readonly pathPrefix?: string;
  readonly host?: string;
  readonly text: string;
  /** A file path, or `admin:<name>` for definitions applied at run time. */
  readonly source: string;
  readonly origin: 'file' | 'admin';
}

export interface FrontendCatalog {
  readonly entries: readonly FrontendEntry[];
  /** Compiles the current entries (with `change` applied) into a route table, with its RPC index. */
  compile(change?: (entries: FrontendEntry[]) => FrontendEntry[]): { table: RouteTable; entries: FrontendEntry[] };
  /** Makes a compiled set current. */
  commit(entries: FrontendEntry[]): void;
}

export function createFrontendCatalog(namespaces: ReadonlyMap<string, NamespaceTarget>, baseDir: string, initial: FrontendEntry[]): FrontendCatalog {
  let entries = initial;
  return {
    get entries() {
      return entries;
    },
    compile(change) {
      const next = change ? change([...entries]) : entries;
      const { bindings, problems } = bindingsFromConfig(next, namespaces, baseDir);
      try {
        // gRPC-Web and Connect mount where the entries bind their namespaces: a binding added
        // or removed here moves them with it.
        const table = attachRpcIndex(compileRouteTable(bindings), namespaces.values(), next, bindings);
        if (problems.length > 0) throw new DefinitionError(problems);
        return { table, entries: next };
      } catch (err) {
        if (err instanceof DefinitionError && problems.length > 0 && err.problems !== problems) throw new DefinitionError([...problems, ...err.problems]);
        throw err;
      }
    },
    commit(next) {
      entries = next;
    },
  };
}

/** Reads a definition file of a config mount into an entry. */
export function readFileEntry(file: string, namespace: string, pathPrefix: string | undefined, host: string | undefined, baseDir: string, cors?: CorsConfig): FrontendEntry {
  const path = resolve(baseDir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DefinitionError([{ code: 'UNREADABLE', file: path, pointer: '', message: `cannot read file: ${(err as Error).message}` }]);
  }
  // Parsed here to learn the names (and fail early); the catalog parses again to compile.
  const names = parseDefinitions(text, path).map((loaded) => loaded.definition.name);
  return { names, namespace, pathPrefix, host, ...(cors ? { cors } : {}), text, source: path, origin: 'file' };
}
