/**
 * The deployment examples under deploy/ stay loadable: the gateway configs they embed pass the
 * config loader (listener exposure included: DESIGN.md §8), their probes point at the probes
 * listener, and a registry bound beyond loopback says how it is guarded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { REPO_ROOT, tempDir } from './support.js';

/** Parsed YAML, read loosely. */
type Json = Record<string, any>;

function loadEmbedded(text: string, dir: string, name: string) {
  const file = join(dir, name);
  writeFileSync(file, text);
  return loadGatewayConfig(file).config;
}

test('the Kubernetes example: the gateway config loads, probes use the probes listener, the registry states its exposure', () => {
  const dir = tempDir('deploy-k8s');
  try {
    const docs = parseAllDocuments(readFileSync(join(REPO_ROOT, 'deploy/k8s/prism.yaml'), 'utf8')).map((d) => d.toJS() as Json).filter(Boolean);
    const configMap = docs.find((d) => d.kind === 'ConfigMap')!;
    const config = loadEmbedded(configMap.data['gateway.yaml'], dir.path, 'k8s.yaml');
    assert.equal(config.probes?.host, '0.0.0.0');
    const gateway = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'prism-gateway')!.spec.template.spec.containers[0];
    const probesPort = gateway.ports.find((p: Json) => p.name === 'probes');
    assert.equal(probesPort.containerPort, config.probes!.port);
    assert.equal(gateway.readinessProbe.httpGet.port, 'probes');
    assert.equal(gateway.livenessProbe.httpGet.port, 'probes');
    const registry = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'prism-registry')!.spec.template.spec.containers[0];
    const args: string[] = registry.args;
    assert.ok(args.includes('--insecure') || args.includes('--client-ca'), `a registry on ${args[args.indexOf('--listen') + 1]} says --insecure or uses mTLS`);
  } finally {
    dir.remove();
  }
});

test('the compose example: the gateway config loads with a probes listener, the registry states its exposure', () => {
  const dir = tempDir('deploy-compose');
  try {
    const compose = parse(readFileSync(join(REPO_ROOT, 'deploy/compose.yaml'), 'utf8')) as Json;
    const config = loadEmbedded(compose.configs['gateway-config'].content, dir.path, 'compose.yaml');
    assert.equal(config.probes?.host, '0.0.0.0');
    const entry: string[] = compose.services.registry.entrypoint;
    assert.ok(entry.includes('--insecure') || entry.includes('--client-ca'));
  } finally {
    dir.remove();
  }
});
