/**
 * The reasons of the admin API's backend commands, in the gateway's ErrorInfo domain. Raised
 * through GatewayError like every gateway reason; their statuses come from the code, except
 * the two conflicts (409), which `backendConflict` in admin-api.ts applies until these reasons
 * join core/gateway-reason.ts and its status table.
 */
export const BackendReason = {
  BACKEND_NOT_FOUND: 'BACKEND_NOT_FOUND',
  /** The type or config does not fit, or a slot bound to the backend could not serve it. */
  BACKEND_INVALID: 'BACKEND_INVALID',
  /** A backend bound to pattern slots cannot be deleted (409). */
  BACKEND_IN_USE: 'BACKEND_IN_USE',
  /** A backend the config file defines: the admin API cannot change it (409). */
  READ_ONLY_BACKEND: 'READ_ONLY_BACKEND',
  /** The new binding did not connect or pass its health check; the old one keeps serving. */
  BACKEND_REBIND_FAILED: 'BACKEND_REBIND_FAILED',
} as const;
export type BackendReason = (typeof BackendReason)[keyof typeof BackendReason];
