import assert from 'node:assert/strict';
import { GatewayError } from '../../src/core/gateway-error.js';

/** The GatewayError `fn` throws; fails the test when it throws something else or nothing. */
export function refusal(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof GatewayError, `a GatewayError, not ${String(err)}`);
    return err;
  }
  assert.fail('expected a refusal');
}
