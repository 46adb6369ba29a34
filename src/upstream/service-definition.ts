export * from '../grpc/service-definition.js'; // moved to src/grpc/service-definition.ts
