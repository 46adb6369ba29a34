export * from '../grpc/rich-status.js'; // moved to src/grpc/rich-status.ts
