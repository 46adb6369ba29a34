/** The plain data a request carries into the mapping engine (no framework types). */
export interface RequestValues {
  /** Path parameters, percent-decoded exactly once. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | string[] | undefined>>;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body; undefined when the request has none. */
  readonly body: unknown;
  /**
   * The body's bytes as sent, for routes whose mapper reads `rawBody` (RequestMapper
   * `readsRawBody`); such a route's body is never parsed as JSON.
   */
  readonly rawBody?: Buffer;
}
