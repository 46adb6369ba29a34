/**
 * gRPC server reflection (grpc/grpc doc/server-reflection.md): `ServerReflectionInfo` of
 * `grpc.reflection.v1` and of its first version `grpc.reflection.v1alpha` (same messages, older
 * clients), answered from the descriptors of reflection-descriptors.ts, so that grpcurl and
 * `buf curl` call services without proto files.
 *
 * Hand-written rather than `@grpc/reflection`: that package brings @grpc/proto-loader (a second
 * proto loader beside protobufjs, DESIGN.md §6) and reflects one loaded package definition,
 * while here each call sees the files of the namespaces it may read (a view chosen per call).
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { loadProtoRoot, projectProtoDir } from './proto-root.js';
import { methodPath } from './service-definition.js';
import type { DescribedFile, DescriptorPool } from './reflection-descriptors.js';

export const REFLECTION_SERVICES = ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'] as const;
export const reflectionProtoFiles: readonly string[] = REFLECTION_SERVICES.map((s) => join(projectProtoDir, `grpc/reflection/${s.split('.')[2]}/reflection.proto`));

/** What one reflection call may see. */
export interface ReflectionView {
  /** Fully-qualified service names answered to `list_services`. */
  readonly services: readonly string[];
  readonly pool: DescriptorPool;
}

/** A decoded ServerReflectionRequest (snake_case, as the proto spells it). */
interface ReflectionRequest {
  host?: string;
  /** Which question the request asks (the oneof's virtual field). */
  message_request?: 'file_by_filename' | 'file_containing_symbol' | 'file_containing_extension' | 'all_extension_numbers_of_type' | 'list_services';
  file_by_filename?: string;
  file_containing_symbol?: string;
  file_containing_extension?: { containing_type?: string; extension_number?: number };
  all_extension_numbers_of_type?: string;
  list_services?: string;
}

/** A request that could not be decoded: answered with an error_response, the stream going on. */
const UNREADABLE = Symbol('unreadable request');
type Incoming = ReflectionRequest | typeof UNREADABLE;
type Response = Record<string, unknown>;

export type ReflectionCall = grpc.ServerDuplexStream<Incoming, Response>;

export interface ReflectionMethod {
  readonly service: string;
  readonly definition: grpc.ServiceDefinition;
  /** The one method's name in `definition`. */
  readonly method: string;
  readonly path: string;
}

let methods: ReflectionMethod[] | undefined;

/**
 * The grpc-js definitions of both versions' ServerReflectionInfo.
 * @throws ProtoLoadError when the reflection protos cannot be loaded (a broken installation).
 */
export function reflectionMethods(): readonly ReflectionMethod[] {
  methods ??= REFLECTION_SERVICES.map((name, i) => {
    const service = loadProtoRoot([reflectionProtoFiles[i]]).lookupService(name);
    const method = service.methods.ServerReflectionInfo;
    const requestType = method.resolvedRequestType!;
    const responseType = method.resolvedResponseType!;
    const path = methodPath(method);
    const definition = {
      [method.name]: {
        path,
        requestStream: true,
        responseStream: true,
        requestSerialize: (value: ReflectionRequest) => Buffer.from(requestType.encode(requestType.fromObject(value)).finish()),
        requestDeserialize: (bytes: Buffer): Incoming => decodeRequest(requestType, bytes),
        responseSerialize: (value: Response) => Buffer.from(responseType.encode(responseType.fromObject(value)).finish()),
        responseDeserialize: (bytes: Buffer) => responseType.toObject(responseType.decode(bytes), { oneofs: true, longs: Number }),
        originalName: method.name,
      },
    } as unknown as grpc.ServiceDefinition;
    return { service: name, definition, method: method.name, path };
  });
  return methods;
}

function decodeRequest(type: protobuf.Type, bytes: Buffer): Incoming {
  try {
    return type.toObject(type.decode(bytes), { oneofs: true, longs: Number }) as ReflectionRequest;
  } catch {
    return UNREADABLE;
  }
}

/**
 * Answers the requests of one reflection stream from `view`, in order, until the client ends
 * its side; then ends the call OK and tells `finish`. Files already sent on this stream are not
 * sent again as dependencies (the protocol allows it; grpc-go does the same).
 */
export function serveReflection(call: ReflectionCall, view: ReflectionView, finish: (code: grpc.status) => void): void {
  const sent = new Set<string>();
  call.on('data', (request: Incoming) => {
    // A client that asks faster than it reads is paused, not buffered without bound.
    if (!call.write(answer(request, view, sent))) {
      call.pause();
      call.once('drain', () => call.resume());
    }
  });
  call.on('end', () => {
    finish(grpc.status.OK);
    call.end();
  });
}

const error = (code: grpc.status, message: string) => ({ error_response: { error_code: code, error_message: message } });

function answer(request: Incoming, view: ReflectionView, sent: Set<string>): Response {
  if (request === UNREADABLE) return error(grpc.status.INVALID_ARGUMENT, 'the request is not a ServerReflectionRequest');
  const { pool } = view;
  const echo = { valid_host: request.host ?? '', original_request: request };
  const files = (file: DescribedFile | undefined, missing: string) => ({ ...echo, ...(file ? { file_descriptor_response: { file_descriptor_proto: withDependencies(file, pool, sent) } } : error(grpc.status.NOT_FOUND, missing)) });
  switch (request.message_request) {
    case 'file_by_filename': {
      const name = request.file_by_filename ?? '';
      return files(pool.file(name), `file '${name}' not found`);
    }
    case 'file_containing_symbol': {
      const symbol = request.file_containing_symbol ?? '';
      return files(pool.fileContainingSymbol(symbol), `symbol '${symbol}' not found`);
    }
    case 'file_containing_extension': {
      const type = request.file_containing_extension?.containing_type ?? '';
      const number = request.file_containing_extension?.extension_number ?? 0;
      return files(pool.fileContainingExtension(type, number), `extension ${number} of '${type}' not found`);
    }
    case 'all_extension_numbers_of_type': {
      const type = request.all_extension_numbers_of_type ?? '';
      const numbers = pool.extensionNumbers(type);
      if (!numbers) return { ...echo, ...error(grpc.status.NOT_FOUND, `message type '${type}' not found`) };
      return { ...echo, all_extension_numbers_response: { base_type_name: type.replace(/^\./, ''), extension_number: numbers } };
    }
    case 'list_services':
      return { ...echo, list_services_response: { service: view.services.map((name) => ({ name })) } };
    default:
      return { ...echo, ...error(grpc.status.INVALID_ARGUMENT, 'the request asks nothing (no message_request field is set)') };
  }
}

/**
 * `file` first, then every file it depends on, transitively (breadth first), leaving out those
 * this stream was already sent.
 */
function withDependencies(file: DescribedFile, pool: DescriptorPool, sent: Set<string>): Uint8Array[] {
  const out = [file.bytes];
  sent.add(file.name);
  const queue = [...file.dependencies];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (sent.has(name)) continue;
    const dependency = pool.file(name);
    // Every loaded import is described; a name not found is a file the namespace never loaded.
    if (!dependency) continue;
    sent.add(name);
    out.push(dependency.bytes);
    queue.push(...dependency.dependencies);
  }
  return out;
}
