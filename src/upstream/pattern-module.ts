/**
 * The contract between the gateway and a pattern service it runs in-process (`embedded`).
 *
 * A namespace names the module to load (a path relative to the config file, or a package
 * name); the module exports `startPattern`. The gateway then reaches the pattern over real
 * gRPC (a private Unix socket by default), exactly as it would reach a remote one, so `src/`
 * never names a pattern.
 */

/** A backend entry of the flat backend registry (RFC-039): unique name, type, typed config. */
export interface BackendConfig {
  readonly name: string;
  /** e.g. SQLITE, POSTGRES, MEMSTORE; each pattern says which types its slots accept. */
  readonly type: string;
  readonly config: Readonly<Record<string, unknown>>;
}

export interface PatternStartOptions {
  /**
   * `host:port` to listen on (port 0 picks an ephemeral port), or `unix:/abs/path` (the gateway's
   * default: a socket in a private folder, which the gateway removes after close()).
   */
  readonly listen: string;
  /** Slot name → the backend bound to it (its secrets resolved: never log or answer this config). */
  readonly slots: Readonly<Record<string, BackendConfig>>;
  /**
   * Slot name → the interfaces of the slot (required and optional) that the bound backend
   * implements, so the pattern knows which optional ones it may use (a keyvalue store without
   * `keyvalue_watch` answers Watch with UNIMPLEMENTED). Absent for slots left unbound.
   */
  readonly slotInterfaces?: Readonly<Record<string, readonly string[]>>;
  /** Folder that relative data paths (e.g. a SQLite file) resolve against. */
  readonly dataDir: string;
  /** Where the pattern reports unexpected failures (the gateway's logger); stderr when absent. */
  readonly log?: PatternLog;
}

/** The part of a pino logger a pattern writes to. */
export interface PatternLog {
  error(details: object, message: string): void;
}

export interface RunningPattern {
  /** The bound `host:port`, or the `unix:/path` it was given. */
  readonly address: string;
  /** The .proto files (absolute paths) that define the pattern's services. */
  readonly protoFiles: readonly string[];
  /** Stops accepting calls, lets in-flight ones finish, closes storage. */
  close(): Promise<void>;
  /**
   * Resolves once every bound slot has connected to its backend and answered (a ping, a
   * query); rejects with the reason otherwise. The gateway asks before a re-bound pattern
   * replaces the serving one (validate-then-swap).
   */
  ready?(): Promise<void>;
}

/**
 * A slot of a pattern (RFC-039 slot_bindings): the interfaces a backend bound to it must
 * implement, those the pattern uses when present, and the backend types the pattern has a slot
 * implementation for. The gateway's slot binder (src/backends/slot-binder.ts) checks a binding
 * against it before the pattern starts.
 */
export interface SlotDeclaration {
  readonly name: string;
  /** Thin interfaces (src/backends/backend-interface.ts) the bound backend must implement. */
  readonly required: readonly string[];
  /** Interfaces the pattern uses when the bound backend has them (told in `slotInterfaces`). */
  readonly optional?: readonly string[];
  /** Backend types (`SQLITE`, `REDIS`, …) the pattern has an implementation of this slot for. */
  readonly implementations: readonly string[];
}

export interface PatternModule {
  startPattern(options: PatternStartOptions): Promise<RunningPattern>;
  /** The pattern's name in binding errors ("no registry slot implementation for KAFKA"); default: the module folder's name. */
  readonly patternName?: string;
  /** The pattern's slots; a module that declares none takes no slot bindings. */
  readonly slots?: readonly SlotDeclaration[];
}
