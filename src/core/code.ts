/**
 * gRPC status codes (google.rpc.Code): the closed set every gateway error is classified by,
 * with the name ↔ number conversions error mappings use.
 */

/** gRPC status codes (google.rpc.Code). */
export enum Code {
  OK = 0,
  CANCELLED = 1,
  UNKNOWN = 2,
  INVALID_ARGUMENT = 3,
  DEADLINE_EXCEEDED = 4,
  NOT_FOUND = 5,
  ALREADY_EXISTS = 6,
  PERMISSION_DENIED = 7,
  RESOURCE_EXHAUSTED = 8,
  FAILED_PRECONDITION = 9,
  ABORTED = 10,
  OUT_OF_RANGE = 11,
  UNIMPLEMENTED = 12,
  INTERNAL = 13,
  UNAVAILABLE = 14,
  DATA_LOSS = 15,
  UNAUTHENTICATED = 16,
}

/** `NOT_FOUND` for 5; used by error mappings that match codes by name. */
export function codeName(code: Code): string {
  return Code[code] ?? 'UNKNOWN';
}

/** Parses a code given by name (`NOT_FOUND`) or number; undefined when it is neither. */
export function parseCode(value: string | number): Code | undefined {
  if (typeof value === 'number') return Code[value] !== undefined ? (value as Code) : undefined;
  const byName = (Code as unknown as Record<string, number>)[value];
  return typeof byName === 'number' ? (byName as Code) : undefined;
}
