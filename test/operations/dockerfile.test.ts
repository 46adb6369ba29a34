/**
 * The Dockerfile, kept correct without a Docker engine: it is parsed and checked instruction by
 * instruction (multi-stage, production-only dependencies in the final image, non-root user,
 * HEALTHCHECK on /healthz, EXPOSE of the container config's listeners, a data volume, the
 * `npm start` equivalent as ENTRYPOINT), and then what it runs is run here: `npm run build`, and
 * the ENTRYPOINT's command with a copy of deploy/docker/gateway.yaml bound to loopback and
 * ephemeral ports, probed by the HEALTHCHECK's own command.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, http, spawnServing, tempDir, writeConfig, type ServingProcess } from './support.js';

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  name?: string;
  base: string;
  instructions: Instruction[];
}

/** Splits a Dockerfile into stages of instructions (continuations joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      if (/^\s*#/.test(lines[i])) continue;
      line = line.replace(/\\\s*$/, ' ') + lines[i].trim();
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    assert.ok(m, `Dockerfile line ${start + 1} is an instruction: ${line}`);
    const instruction = { keyword: m[1].toUpperCase(), args: m[2].trim(), line: start + 1 };
    if (instruction.keyword === 'FROM') {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      assert.ok(from, `FROM at line ${start + 1}`);
      stages.push({ base: from[1], name: from[2], instructions: [] });
    } else {
      assert.ok(stages.length > 0, `instruction before FROM at line ${start + 1}`);
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

/** Exec form (`["a", "b"]`) as an array; anything else fails the test. */
function execForm(args: string): string[] {
  const value = JSON.parse(args) as unknown;
  assert.ok(Array.isArray(value) && value.every((v) => typeof v === 'string'), `exec form expected: ${args}`);
  return value as string[];
}

const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

/** COPY arguments: flags and the source/destination list. */
function copyArgs(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.startsWith('[') ? execForm(args) : args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths.slice(0, -1), dest: paths[paths.length - 1] };
}

function runProcess(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: options.cwd ?? REPO_ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${command} ${args.join(' ')} timed out: ${output}`));
    }, options.timeoutMs ?? 120_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

function jsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...jsFiles(full));
    else if (name.endsWith('.js')) out.push(full);
  }
  return out;
}

const dockerfileText = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfileText);
const finalStage = stages[stages.length - 1];
const containerConfigFile = join(REPO_ROOT, 'deploy/docker/gateway.yaml');
const containerConfig = parse(readFileSync(containerConfigFile, 'utf8')) as {
  http: { host: string; port: number };
  admin: { host: string; port: number };
  grpc: { host: string; port: number; insecure?: boolean };
  probes: { host: string; port: number };
  dataDir: string;
  namespaces: { frontends: { file: string }[] }[];
};
const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };

describe('Dockerfile, read', () => {
  test('is a multi-stage build whose final stage starts from a node 20 image', () => {
    assert.ok(stages.length >= 2, `stages: ${stages.map((s) => s.name ?? s.base).join(', ')}`);
    assert.match(finalStage.base, /^node:20(\b|-)/);
    for (const stage of stages.slice(0, -1)) assert.ok(stage.name, `earlier stage ${stage.base} is named, so later stages can copy from it`);
  });

  test('`npm ci --omit=dev` runs in a stage whose node_modules the final image copies', () => {
    const prodStages = stages.filter((s) => all(s, 'RUN').some((r) => /\bnpm ci\b[^&;|]*--omit=dev\b/.test(r.args)));
    assert.ok(prodStages.length >= 1, 'some stage runs npm ci --omit=dev');
    const copies = all(finalStage, 'COPY').map((c) => copyArgs(c.args));
    const modules = copies.filter((c) => c.sources.some((s) => /\/?node_modules\/?$/.test(s)));
    assert.equal(modules.length, 1, 'the final image copies node_modules once');
    const source = stages.find((s) => s.name === modules[0].from);
    assert.ok(source, `node_modules comes from a named stage (${modules[0].from})`);
    assert.ok(prodStages.includes(source), `stage ${source.name} is the one that runs npm ci --omit=dev`);
    const ci = all(source, 'RUN').find((r) => /\bnpm ci\b/.test(r.args))!;
    assert.doesNotMatch(ci.args, /--include=dev|--production=false/);
    // The lock file is what npm ci installs from, so the stage must have it.
    const lock = all(source, 'COPY').map((c) => copyArgs(c.args)).some((c) => c.sources.includes('package-lock.json'));
    assert.ok(lock, 'the dependency stage copies package-lock.json');
    assert.ok(existsSync(join(REPO_ROOT, 'package-lock.json')));
  });

  test('the build stage produces dist with npm run build, and the final image copies dist from it', () => {
    const copies = all(finalStage, 'COPY').map((c) => copyArgs(c.args));
    const dist = copies.find((c) => c.sources.some((s) => /^\/app\/dist\/?$|^dist\/?$/.test(s)));
    assert.ok(dist?.from, 'dist is copied from a stage');
    const build = stages.find((s) => s.name === dist.from)!;
    assert.ok(all(build, 'RUN').some((r) => /\bnpm run build\b/.test(r.args)), `${build.name} runs npm run build`);
    const buildSources = all(build, 'COPY').flatMap((c) => copyArgs(c.args).sources);
    for (const needed of ['tsconfig.json', 'tsconfig.build.json', 'src', 'patterns', 'proto']) assert.ok(buildSources.includes(needed), `${build.name} copies ${needed}`);
  });

  test('every COPY source from the build context exists and is not excluded by .dockerignore', () => {
    const ignore = existsSync(join(REPO_ROOT, '.dockerignore')) ? readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')) : [];
    for (const stage of stages) {
      for (const c of all(stage, 'COPY').map((x) => copyArgs(x.args))) {
        if (c.from) continue;
        for (const source of c.sources) {
          assert.ok(existsSync(join(REPO_ROOT, source)), `COPY source ${source} exists`);
          const top = source.split('/')[0];
          assert.ok(!ignore.includes(top) && !ignore.includes(source), `COPY source ${source} is not in .dockerignore`);
        }
      }
    }
  });

  test('the final image runs as a non-root user that owns the data volume', () => {
    const users = all(finalStage, 'USER');
    assert.ok(users.length >= 1, 'a USER instruction');
    const user = users[users.length - 1].args.split(':')[0];
    assert.notEqual(user, 'root');
    assert.notEqual(user, '0');
    const volume = all(finalStage, 'VOLUME');
    assert.equal(volume.length, 1);
    const dirs = volume[0].args.startsWith('[') ? execForm(volume[0].args) : volume[0].args.split(/\s+/);
    assert.ok(dirs.includes(containerConfig.dataDir), `the volume (${dirs.join(', ')}) is the config's dataDir ${containerConfig.dataDir}`);
    const chown = all(finalStage, 'RUN').some((r) => new RegExp(`chown\\s+(-R\\s+)?${user}(:\\S+)?\\s+${containerConfig.dataDir}\\b`).test(r.args));
    assert.ok(chown, `${containerConfig.dataDir} is chowned to ${user}`);
    const userIndex = finalStage.instructions.indexOf(users[users.length - 1]);
    const lastRun = finalStage.instructions.map((i, n) => (i.keyword === 'RUN' ? n : -1)).reduce((a, b) => Math.max(a, b), -1);
    assert.ok(lastRun < userIndex || lastRun === -1, 'USER comes after the last RUN (nothing else runs as root at start)');
  });

  test('EXPOSE lists the container config\'s listeners on every interface (8081 public, 8083 probes, 9090 passthrough); admin stays inside', () => {
    const ports = all(finalStage, 'EXPOSE').flatMap((e) => e.args.split(/\s+/)).map((p) => p.replace(/\/tcp$/, '')).sort();
    assert.deepEqual(ports, ['8081', '8083', '9090']);
    assert.deepEqual([containerConfig.http.port, containerConfig.probes.port, containerConfig.grpc.port].map(String).sort(), ports);
    for (const listener of [containerConfig.http, containerConfig.probes, containerConfig.grpc]) assert.equal(listener.host, '0.0.0.0');
    // Without auth: the admin listener stays on loopback, and the passthrough says insecure knowingly.
    assert.equal(containerConfig.admin.host, '127.0.0.1');
    assert.equal(containerConfig.grpc.insecure, true);
  });

  test('HEALTHCHECK probes /healthz on the probes port', () => {
    const checks = all(finalStage, 'HEALTHCHECK');
    assert.equal(checks.length, 1);
    const m = /\bCMD\s+(.*)$/s.exec(checks[0].args);
    assert.ok(m, 'HEALTHCHECK ... CMD');
    const command = execForm(m[1]).join(' ');
    assert.match(command, new RegExp(`:${containerConfig.probes.port}/healthz\\b`));
  });

  test('ENTRYPOINT is the `npm start` command with the container config', () => {
    const entry = all(finalStage, 'ENTRYPOINT');
    assert.equal(entry.length, 1);
    const argv = execForm(entry[0].args);
    // npm start execs node (so npm's SIGTERM reaches it); the image runs node directly.
    const start = packageJson.scripts.start.replace(/^exec\s+/, '').split(/\s+/);
    const configAt = argv.indexOf('--config');
    assert.ok(configAt > 0);
    assert.deepEqual(argv.slice(0, configAt), start.slice(0, start.indexOf('--config')), 'the same program and subcommand as npm start');
    assert.equal(argv[configAt + 1], 'deploy/docker/gateway.yaml');
    // The final image has what the command and the config name (WORKDIR-relative).
    const copied = all(finalStage, 'COPY').map((c) => copyArgs(c.args).dest.replace(/^\.\//, ''));
    assert.ok(copied.includes('deploy/docker/gateway.yaml'));
    assert.ok(copied.includes('dist'));
    for (const f of containerConfig.namespaces.flatMap((ns) => ns.frontends.map((x) => x.file))) {
      const inImage = resolve('/app/deploy/docker', f).replace(/^\/app\//, '');
      assert.ok(copied.includes(inImage), `the frontend ${f} (${inImage}) is copied into the image`);
    }
    assert.ok(all(finalStage, 'WORKDIR').some((w) => w.args === '/app'));
  });
});

describe('Dockerfile, run', () => {
  let built: { code: number | null; output: string };
  let dir: ReturnType<typeof tempDir>;
  let serving: ServingProcess | undefined;
  let adminUrl: string | undefined;
  let grpcAddress: string | undefined;
  let probesUrl: string | undefined;

  before(async () => {
    dir = tempDir('docker');
    built = await runProcess('npm', ['run', 'build'], { timeoutMs: 180_000 });
  });

  after(() => {
    serving?.kill();
    dir?.remove();
  });

  test('npm run build (the build stage) succeeds and emits the entrypoint and the embedded pattern', () => {
    assert.equal(built.code, 0, built.output);
    assert.ok(existsSync(join(REPO_ROOT, 'dist/src/cli.js')));
    assert.ok(existsSync(join(REPO_ROOT, 'dist/patterns/registry/index.js')));
  });

  test('what dist imports at run time is in `dependencies` (npm ci --omit=dev installs it)', () => {
    const missing = new Set<string>();
    const seen = new Set<string>();
    for (const file of [...jsFiles(join(REPO_ROOT, 'dist/src')), ...jsFiles(join(REPO_ROOT, 'dist/patterns'))]) {
      const text = readFileSync(file, 'utf8');
      const specs = [
        ...text.matchAll(/^\s*(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/gm),
        ...text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
        ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
        ...text.matchAll(/\brequire(?:\.resolve)?\(\s*['"]([^'"]+)['"]\s*\)/g),
      ];
      for (const m of specs) {
        const spec = m[1];
        // (A .proto import inside a template string is not a module.)
        if (spec.startsWith('.') || spec.startsWith('/') || isBuiltin(spec) || spec.endsWith('.proto')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        seen.add(name);
        if (!(name in packageJson.dependencies)) missing.add(`${name} (${file.slice(REPO_ROOT.length + 1)})`);
      }
    }
    // The scan sees the packages the gateway is known to load at run time.
    for (const known of ['fastify', '@grpc/grpc-js', 'better-sqlite3', 'google-proto-files', 'prom-client']) assert.ok(seen.has(known), `the scan finds ${known}`);
    assert.deepEqual([...missing], []);
  });

  test('the ENTRYPOINT command serves: /healthz answers 200 and GET / answers {}', async () => {
    assert.ok(existsSync(join(REPO_ROOT, 'dist/src/cli.js')), `needs the build output: ${built.output}`);
    const argv = execForm(all(finalStage, 'ENTRYPOINT')[0].args);
    const env: NodeJS.ProcessEnv = {};
    for (const e of all(finalStage, 'ENV')) {
      const m = /^(\S+?)[= ](.*)$/.exec(e.args);
      if (m) env[m[1]] = m[2];
    }
    const config = structuredClone(containerConfig);
    config.http = { host: '127.0.0.1', port: 0 };
    config.admin = { host: '127.0.0.1', port: 0 };
    config.grpc = { host: '127.0.0.1', port: 0 };
    config.probes = { host: '127.0.0.1', port: 0 };
    config.dataDir = join(dir.path, 'data');
    for (const ns of config.namespaces) for (const f of ns.frontends) f.file = resolve(dirname(containerConfigFile), f.file);
    const configCopy = writeConfig(dir.path, config as unknown as Record<string, unknown>);
    const args = argv.slice(1).map((a, n, list) => (list[n - 1] === '--config' ? configCopy : a));
    assert.equal(argv[0], 'node');
    serving = await spawnServing(process.execPath, args, { env, timeoutMs: 60_000 });
    adminUrl = serving.adminUrl;
    grpcAddress = serving.lines.find((l) => l.msg === 'gRPC passthrough listening')?.address as string | undefined;
    assert.ok(adminUrl, `the admin listener is logged: ${JSON.stringify(serving.lines.map((l) => l.msg))}`);
    assert.match(grpcAddress ?? '', /^127\.0\.0\.1:\d+$/);
    probesUrl = serving.lines.find((l) => l.listener === 'probes')?.url as string | undefined;
    assert.ok(probesUrl, 'the probes listener is logged');
    assert.equal((await http(`${probesUrl}/healthz`)).status, 200);
    assert.equal((await http(`${probesUrl}/readyz`)).status, 200);
    assert.equal((await http(`${probesUrl}/admin/routes`)).status, 404, 'nothing but the probes on it');

    const health = await http(`${adminUrl}/healthz`);
    assert.equal(health.status, 200);
    const root = await http(`${serving.url}/`);
    assert.equal(root.status, 200, root.text);
    assert.equal(root.text, '{}');
    const ready = await http(`${adminUrl}/readyz`);
    assert.equal(ready.status, 200, ready.text);
    assert.ok(existsSync(join(dir.path, 'data', 'gateway-admin.db')), 'the admin store is in the data dir');
  });

  test('the HEALTHCHECK command itself exits 0 against the running gateway and 1 once it is gone', async () => {
    assert.ok(serving && probesUrl, 'needs the running gateway');
    const m = /\bCMD\s+(.*)$/s.exec(all(finalStage, 'HEALTHCHECK')[0].args)!;
    const argv = execForm(m[1]).map((a) => a.replace(`http://127.0.0.1:${containerConfig.probes.port}`, probesUrl!));
    assert.equal(argv[0], 'node');
    const up = await runProcess(process.execPath, argv.slice(1), { timeoutMs: 30_000 });
    assert.equal(up.code, 0, up.output);
    serving.child.kill('SIGTERM');
    const exit = await serving.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    const down = await runProcess(process.execPath, argv.slice(1), { timeoutMs: 30_000 });
    assert.equal(down.code, 1, down.output);
  });

  test('the final image\'s own files suffice: its layout, assembled from the COPY lines, serves the Confluent API', async () => {
    assert.ok(existsSync(join(REPO_ROOT, 'dist/src/cli.js')), `needs the build output: ${built.output}`);
    const image = join(dir.path, 'image');
    const workdir = all(finalStage, 'WORKDIR').at(-1)!.args;
    for (const { from, sources, dest } of all(finalStage, 'COPY').map((c) => copyArgs(c.args))) {
      const target = resolve(image, dest.startsWith('/') ? '.' + dest.slice(workdir.length) : dest);
      for (const source of sources) {
        if (source.endsWith('node_modules') || source.endsWith('node_modules/')) {
          // The dependency stage's node_modules: linked (what npm ci --omit=dev installs is checked above).
          mkdirSync(dirname(target), { recursive: true });
          symlinkSync(join(REPO_ROOT, 'node_modules'), target.replace(/\/$/, ''), 'dir');
          continue;
        }
        // A stage's /app/x is this checkout's x (the build stage builds here, in before()).
        const local = from ? join(REPO_ROOT, source.replace(new RegExp(`^${workdir}/?`), '')) : join(REPO_ROOT, source);
        const into = dest.endsWith('/') || sources.length > 1 || (dest === './' || dest === '.') ? join(target, basename(source)) : target;
        cpSync(local, into, { recursive: true });
      }
    }
    // The container config, moved to loopback, ephemeral ports and a temporary data dir; the
    // frontend path stays as written, so it must resolve inside the image layout.
    const config = structuredClone(containerConfig);
    config.http = { host: '127.0.0.1', port: 0 };
    config.admin = { host: '127.0.0.1', port: 0 };
    config.grpc = { host: '127.0.0.1', port: 0 };
    config.probes = { host: '127.0.0.1', port: 0 };
    config.dataDir = join(dir.path, 'image-data');
    writeConfig(join(image, 'deploy/docker'), config as unknown as Record<string, unknown>, 'gateway.yaml');
    assert.ok(!existsSync(join(image, 'src')) && !existsSync(join(image, 'patterns')), 'no sources in the image');

    const argv = execForm(all(finalStage, 'ENTRYPOINT')[0].args);
    const inImage = await spawnServing(process.execPath, argv.slice(1), { cwd: image, env: { NODE_ENV: 'production' }, timeoutMs: 60_000 });
    try {
      const root = await http(`${inImage.url}/`);
      assert.equal(root.status, 200, root.text);
      assert.equal(root.text, '{}');
      const reg = await http(`${inImage.url}/subjects/image-value/versions`, {
        method: 'POST',
        body: JSON.stringify({ schema: JSON.stringify({ type: 'record', name: 'InImage', fields: [{ name: 'a', type: 'int' }] }) }),
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      });
      assert.equal(reg.status, 200, reg.text);
      assert.deepEqual(reg.json(), { id: 1 });
      assert.equal((await http(`${inImage.adminUrl}/healthz`)).status, 200);
      assert.ok(existsSync(join(dir.path, 'image-data', 'registry.db')), 'the registry keeps its data in the volume');
    } finally {
      inImage.kill();
    }
  });
});
