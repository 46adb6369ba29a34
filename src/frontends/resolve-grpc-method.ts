/**
 * Resolving the gRPC methods a frontend definition names (`grpc: 'pkg.Service/Method'`, or
 * `'Method'` under the frontend's default `service`) against its loaded protos. The REST
 * and GraphQL frontends both resolve through here, so the same mistake gets the same
 * diagnostic whichever frontend it is made in.
 */
import type protobuf from 'protobufjs';
import { DiagnosticCode, type DiagnosticSink } from './diagnostics.js';
import { typeName } from '../mapping/field-path.js';

/** The service by full name (with or without the leading dot); undefined when there is none. */
export function lookupGrpcService(root: protobuf.Root, name: string): protobuf.Service | undefined {
  try {
    return root.lookupService(name.replace(/^\./, ''));
  } catch {
    return undefined;
  }
}

/**
 * The frontend's default `service` (undefined when it names none or it does not resolve);
 * an unknown one is reported as UNKNOWN_SERVICE at `pointer`.
 */
export function resolveDefaultService(root: protobuf.Root, name: string | undefined, pointer: string, sink: DiagnosticSink): protobuf.Service | undefined {
  if (name === undefined) return undefined;
  const service = lookupGrpcService(root, name);
  if (!service) sink(DiagnosticCode.UNKNOWN_SERVICE, pointer, `unknown gRPC service '${name}'`);
  return service;
}

export interface MethodScope {
  readonly root: protobuf.Root;
  /** Whether the frontend names a default `service` (a bare method name needs one). */
  readonly namesDefaultService: boolean;
  /** The default service, when it resolved. */
  readonly defaultService?: protobuf.Service;
}

/**
 * Resolves one `grpc` method spec; every failure is reported at the pointer the sink was
 * given (UNKNOWN_SERVICE or UNKNOWN_METHOD, the latter listing the service's methods) and
 * gives undefined.
 */
export function resolveGrpcMethod(spec: string, scope: MethodScope, sink: DiagnosticSink): protobuf.Method | undefined {
  const fail = (code: DiagnosticCode, message: string) => void sink(code, '', message);
  const slash = spec.lastIndexOf('/');
  let service: protobuf.Service | undefined;
  let name: string;
  if (slash === -1) {
    if (!scope.namesDefaultService) return fail(DiagnosticCode.UNKNOWN_SERVICE, `method '${spec}' names no service and the frontend has no default 'service'`);
    service = scope.defaultService;
    if (!service) return fail(DiagnosticCode.UNKNOWN_SERVICE, `cannot resolve '${spec}': the default service is unknown`);
    name = spec;
  } else {
    service = lookupGrpcService(scope.root, spec.slice(0, slash));
    if (!service) return fail(DiagnosticCode.UNKNOWN_SERVICE, `unknown gRPC service '${spec.slice(0, slash)}'`);
    name = spec.slice(slash + 1);
  }
  const method = service.methods[name];
  if (!method) return fail(DiagnosticCode.UNKNOWN_METHOD, `unknown method '${name}' in service ${typeName(service)} (it has ${Object.keys(service.methods).join(', ') || 'no methods'})`);
  method.resolve();
  return method;
}
