/**
 * The gateway suites' harness: a fixture gRPC server and a gateway compiled from definition
 * text in front of it, started before the suite's tests and closed after them.
 */
import { exchange, type HttpIn, type HttpOut } from '../gateway/round-trip.js';
import { startFixtureServer, type FixtureServer } from './fixture-server.js';
import { startHarness, type Harness } from './gateway-harness.js';
import { useSuite } from './use-suite.js';

export interface GatewayOptions {
  /** Frontend definition text (YAML), compiled against the fixture server. */
  readonly definition: string;
  /** The HTTP body limit in bytes (fastify's default when absent). */
  readonly bodyLimit?: number;
}

export interface GatewayHandle {
  readonly fixture: FixtureServer;
  readonly harness: Harness;
  readonly app: Harness['app'];
  /** One request in through `inject`, with the upstream calls it caused. */
  exchange(input: HttpIn): Promise<HttpOut>;
}

/**
 * Starts the fixture server and one gateway for the current suite (see `useSuite`) and
 * returns a handle to them.
 */
export function useGateway(options: GatewayOptions): GatewayHandle {
  return useSuite(async (scope) => {
    const fixture = scope.own(await startFixtureServer());
    const harness = scope.own(await startHarness(options.definition, fixture.address, { bodyLimit: options.bodyLimit }));
    return { fixture, harness, app: harness.app, exchange: (input: HttpIn) => exchange(harness, fixture, input) };
  });
}
