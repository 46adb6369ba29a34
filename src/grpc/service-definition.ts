/**
 * Builds a @grpc/grpc-js service definition from a protobufjs reflection Service, so servers
 * (the pattern services, test fixtures) and clients need no generated code.
 */
import type { ServiceDefinition, MethodDefinition } from '@grpc/grpc-js';
import protobuf from 'protobufjs';

/** How decoded messages are turned into plain objects (protobufjs `IConversionOptions`). */
export const plainObjectOptions: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
};

/** The gRPC path of a method: `/package.Service/Method`. */
export function methodPath(method: protobuf.Method): string {
  const service = method.parent as protobuf.Service;
  return `/${service.fullName.replace(/^\./, '')}/${method.name}`;
}

/**
 * A grpc-js definition whose handlers see plain objects (see `plainObjectOptions`) and whose
 * replies are plain objects converted with `Type.fromObject`.
 */
export function createServiceDefinition(
  service: protobuf.Service,
  conversion: protobuf.IConversionOptions = plainObjectOptions,
): ServiceDefinition {
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  service.resolveAll();
  for (const method of service.methodsArray) {
    const requestType = method.resolvedRequestType!;
    const responseType = method.resolvedResponseType!;
    definition[method.name] = {
      path: methodPath(method),
      requestStream: !!method.requestStream,
      responseStream: !!method.responseStream,
      requestSerialize: (value: unknown) => Buffer.from(requestType.encode(requestType.fromObject(value as object)).finish()),
      requestDeserialize: (bytes: Buffer) => requestType.toObject(requestType.decode(bytes), conversion),
      responseSerialize: (value: unknown) => Buffer.from(responseType.encode(responseType.fromObject(value as object)).finish()),
      responseDeserialize: (bytes: Buffer) => responseType.toObject(responseType.decode(bytes), conversion),
      originalName: method.name,
    };
  }
  return definition as ServiceDefinition;
}
