/**
 * A gRPC server reflection client on grpc-js, for the protocol cases `buf curl` cannot state
 * (one stream with several questions, error responses, v1alpha, metadata), and the decoder of
 * the FileDescriptorProtos it receives.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { reflectionMethods } from '../../src/grpc/reflection-service.js';

export type ReflectionVersion = 'v1' | 'v1alpha';
export type Answer = Record<string, unknown> & {
  message_response?: string;
  file_descriptor_response?: { file_descriptor_proto: Uint8Array[] };
  list_services_response?: { service: { name: string }[] };
  all_extension_numbers_response?: { base_type_name: string; extension_number: number[] };
  error_response?: { error_code: number; error_message: string };
};
export type Outcome = { readonly answers: Answer[]; readonly code: grpc.status; readonly details: string };

const constructors = new Map(reflectionMethods().map((m) => [m.service.split('.')[2] as ReflectionVersion, grpc.makeGenericClientConstructor(m.definition, m.service)]));

/**
 * Opens one ServerReflectionInfo stream on `address`, sends `requests`, half-closes, and
 * collects every answer and the final status (bounded: 20 s).
 */
export function reflect(address: string, requests: object[], options: { namespace?: string; authorization?: string; version?: ReflectionVersion } = {}): Promise<Outcome> {
  const Ctor = constructors.get(options.version ?? 'v1')!;
  const client = new Ctor(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & { ServerReflectionInfo(md: grpc.Metadata, o: grpc.CallOptions): grpc.ClientDuplexStream<object, Answer> };
  const metadata = new grpc.Metadata();
  if (options.namespace !== undefined) metadata.set('x-prism-namespace', options.namespace);
  if (options.authorization !== undefined) metadata.set('authorization', options.authorization);
  const call = client.ServerReflectionInfo(metadata, { deadline: Date.now() + 20_000 });
  const answers: Answer[] = [];
  return new Promise((done) => {
    const finish = (code: grpc.status, details: string) => {
      client.close();
      done({ answers, code, details });
    };
    call.on('data', (a: Answer) => answers.push(a));
    call.on('error', (err: grpc.ServiceError) => finish(err.code, err.details));
    call.on('status', (s: grpc.StatusObject) => {
      if (s.code === grpc.status.OK) finish(s.code, s.details);
    });
    for (const r of requests) call.write(r);
    call.end();
  });
}

const FileDescriptorProto = loadProtoRoot(['google/protobuf/descriptor.proto']).lookupType('google.protobuf.FileDescriptorProto');

export interface DecodedFile {
  name: string;
  package?: string;
  dependency?: string[];
  message_type?: { name: string }[];
  service?: { name: string; method: { name: string; options?: Record<string, unknown> }[] }[];
  [key: string]: unknown;
}

/** The files of an answer, decoded (enums by name). */
export function filesOf(answer: Answer): DecodedFile[] {
  return (answer.file_descriptor_response?.file_descriptor_proto ?? []).map((bytes) => FileDescriptorProto.toObject(FileDescriptorProto.decode(bytes), { enums: String, arrays: true }) as DecodedFile);
}

const BUF = join(import.meta.dirname, '../../node_modules/.bin/buf');

/** Runs `buf curl --protocol grpc --http2-prior-knowledge …args` (the npm devDependency @bufbuild/buf). */
export function bufCurl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(BUF, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', ...args], { timeout: 60_000, env: { ...process.env, BUF_CACHE_DIR: process.env.BUF_CACHE_DIR ?? join(import.meta.dirname, '../../node_modules/.cache/buf') } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}
