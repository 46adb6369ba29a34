/**
 * The encoded `google.rpc.Status` an RPC error carries to the client (gRPC-Web's
 * `grpc-status-details-bin`): the backend's own bytes when it sent some, passed on untouched,
 * else, for an error the gateway raised with a reason, one built from its code, message and
 * ErrorInfo, so clients read gateway refusals the way they read backend errors.
 */
import type { GatewayError } from '../core/gateway-error.js';
import { encodeStatusDetails } from '../grpc/rich-status.js';

export function statusDetailsOf(err: GatewayError): Uint8Array | undefined {
  if (err.statusDetails !== undefined) return err.statusDetails;
  if (!err.reason) return undefined;
  return encodeStatusDetails(err.code, err.message, { reason: err.reason, domain: err.domain, metadata: err.metadata });
}
