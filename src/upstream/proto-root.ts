export * from '../grpc/proto-root.js'; // moved to src/grpc/proto-root.ts
