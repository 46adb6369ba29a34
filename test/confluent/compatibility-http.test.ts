/**
 * The format-level compatibility case tables (one case per difference type of
 * compatibility-rules.md §3.4 and §4.2) run again through the HTTP API of the real stack:
 * the old schema is registered under NONE, the level set to BACKWARD, then
 * `POST /compatibility/subjects/{S}/versions/latest?verbose=true` must give the case's
 * verdict (with a message naming the difference when incompatible) and
 * `POST /subjects/{S}/versions` must answer 409 or 200 accordingly.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cases as jsonCases } from '../patterns/registry/formats/json-schema-cases.js';
import { cases as protoCases } from '../patterns/registry/formats/protobuf-cases.js';
import { call, startStack, type Stack } from './support.js';
import { useStarted } from '../support/use-suite.js';

let n = 0;

const stack = useStarted(() => startStack());

interface HttpCase {
  readonly name: string;
  readonly schemaType: 'JSON' | 'PROTOBUF';
  readonly rule: string;
  readonly old: string;
  readonly new: string;
  readonly compatible: boolean;
}

async function check(c: HttpCase): Promise<void> {
  const subject = `compat-${c.schemaType.toLowerCase()}-${++n}`;
  const req = (method: string, path: string, body?: unknown) => call(stack.url, method, path, { body });
  assert.equal((await req('PUT', `/config/${subject}`, { compatibility: 'NONE' })).status, 200);
  const first = await req('POST', `/subjects/${subject}/versions`, { schemaType: c.schemaType, schema: c.old });
  assert.equal(first.status, 200, first.text);
  assert.equal((await req('PUT', `/config/${subject}`, { compatibility: 'BACKWARD' })).status, 200);

  const verdict = await req('POST', `/compatibility/subjects/${subject}/versions/latest?verbose=true`, { schemaType: c.schemaType, schema: c.new });
  assert.equal(verdict.status, 200, verdict.text);
  const body = verdict.json() as { is_compatible: boolean; messages: string[] };
  assert.equal(body.is_compatible, c.compatible, verdict.text);
  if (!c.compatible) assert.ok(body.messages.some((m) => m.includes(`errorType:"${c.rule}"`) || m.includes(`errorType:'${c.rule}'`)), verdict.text);

  const register = await req('POST', `/subjects/${subject}/versions`, { schemaType: c.schemaType, schema: c.new });
  if (c.compatible) {
    assert.equal(register.status, 200, register.text);
  } else {
    assert.equal(register.status, 409, register.text);
    const error = register.json() as { error_code: number; message: string };
    assert.equal(error.error_code, 409);
    assert.match(error.message, /^Schema being registered is incompatible with an earlier schema for subject "/);
  }
}

describe('JSON Schema difference types through the HTTP API (STRICT)', () => {
  for (const c of jsonCases) {
    test(`${c.rule} (${c.compatible ? 'compatible' : 'incompatible'}): ${c.why}`, () =>
      check({ name: c.why, schemaType: 'JSON', rule: c.rule, old: JSON.stringify(c.old), new: JSON.stringify(c.new), compatible: c.compatible }),
    );
  }
});

describe('PROTOBUF difference types through the HTTP API', () => {
  // Cases whose schemas import references need those registered first; the format tests
  // cover them, and test/confluent/kafkajs-client.test.ts registers references over HTTP.
  for (const c of protoCases.filter((c) => !c.oldRefs && !c.newRefs)) {
    test(`${c.rule} (${c.compatible ? 'compatible' : 'incompatible'}): ${c.why}`, () =>
      check({ name: c.why, schemaType: 'PROTOBUF', rule: c.rule, old: c.old, new: c.new, compatible: c.compatible }),
    );
  }
});
