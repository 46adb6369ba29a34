#!/usr/bin/env node
/**
 * prism-gateway: serve | validate | routes | openapi | hash-password | frontend. Exit codes:
 * 0 success, 1 runtime failure (including a refused admin request), 2 invalid definitions,
 * config or usage.
 */
import { runFromProto } from './frontends/from-proto-command.js';
import cluster from 'node:cluster';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadGatewayConfig, type LoadedConfig } from './config/gateway-config.js';
import { DefinitionError, type DefinitionProblem } from './frontends/definition-error.js';
import { formatDiagnostic } from './frontends/diagnostics.js';
import { loadAnyDefinitionFile as loadDefinitionFile } from './frontends/load-any-definition.js';
import { compileRouteTable, type FrontendBinding } from './routing/compile-route-table.js';
import type { RouteTable } from './routing/route-table.js';
import { readFileEntry, type FrontendEntry } from './admin/frontend-catalog.js';
import { bindingsFromConfig, offlineNamespaces, type BindingNamespace } from './config/bindings-from-config.js';
import { attachRpcIndex } from './rpc/attach-rpc-index.js';
import { parse as parseYaml } from 'yaml';
import { exportOpenApi } from './frontends/openapi-export.js';
import { printGraphqlSchema } from './graphql/graphql-schema-command.js';
import { printRoutes } from './routing/print-routes.js';
import { AdminCredentialsError, resolveAdminCredentials, type AdminCredentials } from './security/admin-credentials.js';
import { isLoopbackHost } from './security/network-address.js';
import { redactUrl } from './observability/redact-url.js';
import { hashPassword } from './security/password-hash.js';
import { reloadUsersFiles } from './security/users-file.js';
import { startGateway } from './start-gateway.js';
import { parseWorkerCount, runCluster } from './cluster/run-cluster.js';
import { connectWorker, isPrismWorker } from './cluster/worker-link.js';
import { shouldWatchParent, watchParent } from './operations/parent-watch.js';

const HELP: Record<string, string> = {
  main: `Usage: prism-gateway <command> [options]

Commands:
  serve --config FILE      run the gateway (HTTP listener, namespaces, embedded patterns)
  validate FILE...         check frontend definitions; exit 2 and list every problem if any
  routes --config FILE     print the compiled route table (or: routes FILE... for definitions)
  openapi FILE [--frontend NAME]   print a frontend as an OpenAPI 3.1 document (JSON)
  graphql-schema FILE [--frontend NAME]   print a GraphQL frontend's schema (SDL)
  hash-password            read a password on stdin, print its scrypt hash (users file)
  frontend apply -f FILE   apply a frontend definition to a running gateway (admin API)
  frontend list            list the frontends a running gateway serves
  frontend get NAME        print a frontend's definition
  frontend delete NAME     remove a frontend from a running gateway
  frontend from-proto FILE.proto [--service pkg.Svc] [--proto-names] [--name N]
                           print a frontend built from google.api.http annotations
  backend apply -f FILE    register or update a backend of a running gateway (admin API)
  backend list             list backends, their interfaces and the slots bound to them
  backend get NAME         print a backend (secrets redacted)
  backend delete NAME      remove a backend no slot is bound to

Run 'prism-gateway <command> --help' for a command's options; 'prism-gateway --version'
prints the version.
`,
  serve: `Usage: prism-gateway serve --config FILE [options]

Options:
  --config FILE     gateway config (listeners, backends, namespaces, frontends)
  --host HOST       public listener address (env PRISM_HOST; default from config, else 127.0.0.1)
  --port PORT       public listener port (env PORT; default from config, else 8080)
  --data-dir DIR    data folder of embedded patterns (env PRISM_DATA_DIR; default the
                    config's dataDir, relative to the config file, else ./data in the
                    directory the command runs in)
  --log-level LVL   trace|debug|info|warn|error|fatal|silent (env PRISM_LOG_LEVEL;
                    default info)
  --workers N       serve from N processes sharing the listeners (node:cluster), or 'auto'
                    for one per CPU (env PRISM_WORKERS; default 1). Embedded patterns run
                    once, in the primary process.
  -h, --help        show this help

Signals: SIGTERM and SIGINT drain and stop; SIGHUP rereads the basic-auth users file (it is
also reread when it changes on disk).
`,
  validate: `Usage: prism-gateway validate FILE...

Loads and compiles each frontend definition (YAML, JSON or OpenAPI) with the same compiler as
serve. A gateway config (a file with namespaces) is checked with every frontend it names,
bound as serve binds them. Every problem of every file is printed, in one pass, as
FILE:LINE:COL: route 'ID' at /json/pointer: message
Exit codes: 0 all valid, 2 problems found.
`,
  frontend: `Usage: prism-gateway frontend <apply -f FILE | list | get NAME | delete NAME> [options]
       prism-gateway frontend from-proto FILE.proto [--service pkg.Svc] [--proto-names] [--name N]
                                         (prints a frontend built from google.api.http annotations;
                                         'frontend from-proto --help' for its options)

Talks to a running gateway's admin listener. Every change is validated and compiled by the
gateway first; a rejected change lists every problem and leaves the served routes unchanged.
'get' prints the definition as it was applied (YAML or JSON), so that
'frontend get NAME > f.yaml && frontend apply -f f.yaml' round-trips; --json prints it
with its binding (namespace, path prefix, host, origin) as JSON.

Options:
  --admin URL         admin listener, http:// or https:// (env PRISM_ADMIN_URL; the
                      address the gateway logs)
  -f, --file FILE     definition to apply (YAML or JSON, one frontend)
  --namespace NAME    namespace to bind it to (needed when the gateway has several)
  --path-prefix PATH  mount it under a path prefix
  --host HOST         serve it only for this Host header
  --json              get: print the definition and its binding as JSON

Credentials (when the gateway has auth: the admin API needs the admin role):
  --user NAME[:PASS]  basic credentials (env PRISM_ADMIN_USER); without :PASS the password
                      is read from PRISM_ADMIN_PASSWORD
  --token TOKEN       a bearer token (env PRISM_ADMIN_TOKEN)
  --ca-file FILE      CA certificate(s) that sign an https admin listener's certificate
                      (env PRISM_ADMIN_CA; default: the system's CAs)
  --cert-file FILE, --key-file FILE
                      client certificate for an admin listener that requires one
                      (env PRISM_ADMIN_CERT, PRISM_ADMIN_KEY)

Exit codes: 0 done, 1 refused (401, 403, 404, ...) or unreachable, 2 usage or a rejected
definition.
`,
  backend: `Usage: prism-gateway backend <apply -f FILE | list | get NAME | delete NAME> [options]

Talks to a running gateway's admin listener (RFC-039 REGISTER_BACKEND, UPDATE_BACKEND,
DELETE_BACKEND). FILE is YAML or JSON: { name, type, config }. The gateway checks the config
against its type and every pattern slot bound to the backend first; an update re-binds those
slots and keeps the old binding serving when the new one does not connect. Backends from the
config file are read-only; one bound to slots cannot be deleted. Secrets may be written as
{ env: NAME } or { file: PATH } (resolved by the gateway); answers never show a secret.

Options: --admin URL and the credentials of 'prism-gateway frontend --help'.

Exit codes: 0 done, 1 refused or unreachable, 2 usage or a rejected backend.
`,
  'hash-password': `Usage: prism-gateway hash-password < password.txt

Prints the scrypt hash of the password read from standard input (one line), for the
'password' of a user in the basic-auth users file.
`,
  openapi: `Usage: prism-gateway openapi FILE... [--frontend NAME]
       prism-gateway openapi --config FILE [--frontend NAME]

Compiles the definitions and prints the named frontend (default: the only one) as an
OpenAPI 3.1 document, with request and response schemas derived from the proto types.
`,
  'graphql-schema': `Usage: prism-gateway graphql-schema FILE... [--frontend NAME]
       prism-gateway graphql-schema --config FILE [--frontend NAME]

Compiles the definitions and prints the named GraphQL frontend's schema (default: the only
one) as SDL: the types derived from the protos and the fields the definition binds.
`,
  routes: `Usage: prism-gateway routes --config FILE
       prism-gateway routes FILE...

Prints the compiled route table: method, path template, gRPC method, frontend/route id, and
each parameter mapping.
`,
};

/** pino's levels, the values --log-level and PRISM_LOG_LEVEL accept. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** The version in package.json: two folders up from dist/src/cli.js, one up from src/cli.ts. */
function packageVersion(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'prism-gateway' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // Offline, unlike the other frontend subcommands: no admin listener is involved.
  if (command === 'frontend' && rest[0] === 'from-proto') return runFromProto(rest.slice(1), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(HELP.main);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (!(command in HELP) || command === 'main') {
    process.stderr.write(`unknown command '${command}'\n\n${HELP.main}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: command !== 'serve',
      strict: true,
      options: {
        config: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'log-level': { type: 'string' },
        workers: { type: 'string' },
        admin: { type: 'string' },
        file: { type: 'string', short: 'f' },
        namespace: { type: 'string' },
        'path-prefix': { type: 'string' },
        frontend: { type: 'string' },
        user: { type: 'string' },
        token: { type: 'string' },
        'ca-file': { type: 'string' },
        'cert-file': { type: 'string' },
        'key-file': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP[command]}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(HELP[command]);
    return 0;
  }
  if (parsed.values.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  try {
    switch (command) {
      case 'validate':
        return validate(parsed.positionals);
      case 'routes':
        return routes(parsed.values.config, parsed.positionals);
      case 'frontend':
      case 'backend':
        return await frontend(parsed.positionals, parsed.values, command);
      case 'hash-password':
        return await hashPasswordCommand();
      case 'openapi':
        return openapi(parsed.values.config, parsed.positionals, parsed.values.frontend);
      case 'graphql-schema':
        return printGraphqlSchema(compileOffline(parsed.values.config, parsed.positionals)?.table, parsed.values.frontend, HELP['graphql-schema'], {
          out: (t) => process.stdout.write(t),
          err: (t) => process.stderr.write(t),
        });
      default:
        return await serve(parsed.values);
    }
  } catch (err) {
    if (err instanceof DefinitionError) {
      process.stderr.write(err.problems.map(formatDiagnostic).join('\n') + '\n');
      return 2;
    }
    if (err instanceof AdminCredentialsError) {
      process.stderr.write(`${err.message}\n\n${HELP.frontend}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      return 2;
    }
    process.stderr.write(`prism-gateway: ${(err as Error).message}\n`);
    return 1;
  }
}

/**
 * validate FILE...: each file is a gateway config (it has `namespaces`) or a frontend
 * definition. A config is checked with every frontend it names, bound as serve binds them; all
 * problems of all files are printed in one pass.
 */
function validate(files: string[]): number {
  if (files.length === 0) {
    process.stderr.write(HELP.validate);
    return 2;
  }
  const problems: DefinitionProblem[] = [];
  const configProblems: string[] = [];
  const bindings: FrontendBinding[] = [];
  const rpc: OfflineRpc = { namespaces: [], sources: [] };
  for (const file of files) {
    if (isGatewayConfig(file)) {
      try {
        const bound = configBindings(file);
        bindings.push(...bound.bindings);
        problems.push(...bound.problems);
        rpc.namespaces.push(...bound.rpc.namespaces);
        rpc.sources.push(...bound.rpc.sources);
      } catch (err) {
        if (err instanceof DefinitionError) problems.push(...err.problems);
        else if (err instanceof ConfigError) configProblems.push(...configErrorLines(err));
        else throw err;
      }
      continue;
    }
    try {
      for (const loaded of loadDefinitionFile(file)) bindings.push({ loaded });
    } catch (err) {
      if (!(err instanceof DefinitionError)) throw err;
      problems.push(...err.problems);
    }
  }
  try {
    attachRpcIndex(compileRouteTable(bindings), rpc.namespaces, rpc.sources, bindings);
  } catch (err) {
    if (!(err instanceof DefinitionError)) throw err;
    problems.push(...err.problems);
  }
  const count = problems.length + configProblems.length;
  if (count > 0) {
    process.stderr.write([...configProblems, ...problems.map(formatDiagnostic)].join('\n') + `\n${count} problem${count === 1 ? '' : 's'} found\n`);
    return 2;
  }
  process.stdout.write(`${files.length} file${files.length === 1 ? '' : 's'} valid\n`);
  return 0;
}

/** A gateway config names namespaces; a frontend definition never does. */
function isGatewayConfig(file: string): boolean {
  try {
    const value = parseYaml(readFileSync(file, 'utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) && 'namespaces' in value;
  } catch {
    // Unreadable or not YAML: the definition loader says why, with the line.
    return false;
  }
}

/** The lines of a config error: its Diagnostics when it carries them, else its message. */
function configErrorLines(err: ConfigError): string[] {
  const diagnostics = (err as ConfigError & { problems?: readonly unknown[] }).problems;
  if (Array.isArray(diagnostics) && diagnostics.every((d) => typeof d === 'object' && d !== null && 'code' in d && 'message' in d)) {
    return (diagnostics as DefinitionProblem[]).map(formatDiagnostic);
  }
  return err.message.split('\n');
}

/**
 * A config's frontends, bound exactly as serve binds them (config/bindings-from-config.ts),
 * without connecting to anything: no pattern started, no upstream dialled. Problems of files
 * that do not load are returned with the bindings of those that do.
 * @throws ConfigError when the config itself is invalid.
 */
/**
 * What the RPC index of a config is built from offline: its namespaces (protos the config names;
 * an embedded pattern's own protos are known only once it runs) and where their frontends bind.
 */
interface OfflineRpc {
  readonly namespaces: BindingNamespace[];
  readonly sources: FrontendEntry[];
}

function configBindings(configFile: string): { bindings: FrontendBinding[]; problems: DefinitionProblem[]; rpc: OfflineRpc } {
  const loaded: LoadedConfig = loadGatewayConfig(configFile);
  const sources: FrontendEntry[] = [];
  const problems: DefinitionProblem[] = [];
  for (const ns of loaded.config.namespaces) {
    for (const mount of ns.frontends) {
      try {
        sources.push(readFileEntry(mount.file, ns.name, mount.pathPrefix, mount.host, loaded.baseDir, mount.cors));
      } catch (err) {
        if (!(err instanceof DefinitionError)) throw err;
        problems.push(...err.problems);
      }
    }
  }
  const namespaces = offlineNamespaces(loaded);
  const bound = bindingsFromConfig(sources, namespaces, loaded.baseDir);
  return { bindings: bound.bindings, problems: [...problems, ...bound.problems], rpc: { namespaces: [...namespaces.values()], sources } };
}

/**
 * The route table of a config's frontends, or of definition files; undefined when given neither.
 * @throws DefinitionError listing every problem (loading and compiling); ConfigError.
 */
function compileOffline(configFile: string | undefined, files: string[]): { table: RouteTable; bindings: FrontendBinding[] } | undefined {
  let bindings: FrontendBinding[] = [];
  let problems: DefinitionProblem[] = [];
  let rpc: OfflineRpc = { namespaces: [], sources: [] };
  if (configFile) {
    ({ bindings, problems, rpc } = configBindings(configFile));
  } else if (files.length > 0) {
    for (const file of files) for (const loaded of loadDefinitionFile(file)) bindings.push({ loaded });
  } else {
    return undefined;
  }
  try {
    const table = attachRpcIndex(compileRouteTable(bindings), rpc.namespaces, rpc.sources, bindings);
    if (problems.length > 0) throw new DefinitionError(problems);
    return { table, bindings };
  } catch (err) {
    if (err instanceof DefinitionError && problems.length > 0 && err.problems !== problems) throw new DefinitionError([...problems, ...err.problems]);
    throw err;
  }
}

function routes(configFile: string | undefined, files: string[]): number {
  const compiled = compileOffline(configFile, files);
  if (!compiled) {
    process.stderr.write(HELP.routes);
    return 2;
  }
  process.stdout.write(printRoutes(compiled.table));
  return 0;
}

function openapi(configFile: string | undefined, files: string[], name: string | undefined): number {
  const compiled = compileOffline(configFile, files);
  if (!compiled) {
    process.stderr.write(HELP.openapi);
    return 2;
  }
  const { table, bindings } = compiled;
  const names = [...new Set(bindings.map((b) => b.loaded.definition.name))];
  const chosen = name ?? (names.length === 1 ? names[0] : undefined);
  if (!chosen || !names.includes(chosen)) {
    process.stderr.write(`name the frontend with --frontend (one of ${names.join(', ')})\n`);
    return 2;
  }
  // With the definition at hand the document keeps its protos, basePath and qualities as
  // written, so it imports back next to the file it came from.
  const definition = bindings.find((b) => b.loaded.definition.name === chosen)?.loaded.definition;
  process.stdout.write(JSON.stringify(exportOpenApi(table, chosen, { definition }), null, 2) + '\n');
  return 0;
}

/** The admin resource a `frontend` or `backend` command works on. */
type AdminResource = 'frontend' | 'backend';

async function frontend(args: string[], values: Record<string, string | boolean | undefined>, resource: AdminResource = 'frontend'): Promise<number> {
  const help = HELP[resource];
  const adminText = ((values.admin as string | undefined) ?? process.env.PRISM_ADMIN_URL)?.replace(/\/$/, '');
  if (!adminText) {
    process.stderr.write(`name the admin listener with --admin URL or PRISM_ADMIN_URL\n\n${help}`);
    return 2;
  }
  let admin: URL;
  try {
    admin = new URL(adminText);
    if (admin.protocol !== 'http:' && admin.protocol !== 'https:') throw new Error('not http');
  } catch {
    process.stderr.write(`invalid admin URL '${redactUrl(adminText)}': expected http://HOST:PORT or https://HOST:PORT\n`);
    return 2;
  }
  const credentials = resolveAdminCredentials(admin, {
    user: values.user as string | undefined,
    token: values.token as string | undefined,
    caFile: values['ca-file'] as string | undefined,
    certFile: values['cert-file'] as string | undefined,
    keyFile: values['key-file'] as string | undefined,
  });
  if (credentials.authorization && admin.protocol === 'http:' && !isLoopbackHost(admin.hostname)) {
    process.stderr.write(`warning: sending credentials over plain HTTP to ${admin.host}; use an https admin URL\n`);
  }
  const [action, name] = args;
  const call = (method: string, path: string, body?: string) => adminRequest(admin, method, path, credentials, body);
  let result;
  if (resource === 'backend') return backendCommand(action, name, values, call, admin, credentials);
  if (action === 'list') {
    result = await call('GET', '/admin/frontends');
  } else if ((action === 'get' || action === 'delete') && name) {
    // --namespace limits a delete to that namespace's binding (without it: every binding).
    const scope = action === 'delete' && typeof values.namespace === 'string' ? `?namespace=${encodeURIComponent(values.namespace)}` : '';
    result = await call(action === 'get' ? 'GET' : 'DELETE', `/admin/frontends/${encodeURIComponent(name)}${scope}`);
  } else if (action === 'apply' && typeof values.file === 'string') {
    const text = readFileSync(values.file, 'utf8');
    const names = loadDefinitionFile(values.file).map((l) => l.definition.name);
    if (names.length !== 1) {
      process.stderr.write(`${values.file} must define exactly one frontend (it defines ${names.length})\n`);
      return 2;
    }
    const query = new URLSearchParams();
    for (const [key, flag] of [['namespace', 'namespace'], ['pathPrefix', 'path-prefix'], ['host', 'host']] as const) {
      if (typeof values[flag] === 'string') query.set(key, values[flag] as string);
    }
    result = await call('PUT', `/admin/frontends/${encodeURIComponent(names[0])}${query.size ? '?' + query : ''}`, text);
  } else {
    process.stderr.write(help);
    return 2;
  }
  if (result.status < 200 || result.status > 299) {
    process.stderr.write(`${refusalMessage(admin, result, credentials)}\n`);
    return result.status === 400 ? 2 : 1;
  }
  let out = result.text;
  if (action === 'get') {
    // The definition itself, as applied, so that its output can be applied again; the
    // binding and origin only on request.
    const entry = JSON.parse(result.text) as { definition?: string };
    out = values.json ? JSON.stringify(entry, null, 2) : (entry.definition ?? '');
  }
  process.stdout.write(out.endsWith('\n') || out === '' ? out : out + '\n');
  return 0;
}

/** `backend apply|list|get|delete`: the admin API's backend commands. */
async function backendCommand(
  action: string | undefined,
  name: string | undefined,
  values: Record<string, string | boolean | undefined>,
  call: (method: string, path: string, body?: string) => Promise<AdminAnswer>,
  admin: URL,
  credentials: AdminCredentials,
): Promise<number> {
  let result: AdminAnswer;
  if (action === 'list') {
    result = await call('GET', '/admin/backends');
  } else if ((action === 'get' || action === 'delete') && name) {
    result = await call(action === 'get' ? 'GET' : 'DELETE', `/admin/backends/${encodeURIComponent(name)}`);
  } else if (action === 'apply' && typeof values.file === 'string') {
    const text = readFileSync(values.file, 'utf8');
    const parsed = parseYaml(text) as { name?: unknown } | null;
    if (typeof parsed?.name !== 'string' || parsed.name === '') {
      process.stderr.write(`${values.file} must name the backend (name: …)\n`);
      return 2;
    }
    result = await call('PUT', `/admin/backends/${encodeURIComponent(parsed.name)}`, text);
  } else {
    process.stderr.write(HELP.backend);
    return 2;
  }
  if (result.status < 200 || result.status > 299) {
    process.stderr.write(`${refusalMessage(admin, result, credentials)}\n`);
    return result.status === 400 ? 2 : 1;
  }
  const out = JSON.stringify(JSON.parse(result.text), null, 2);
  process.stdout.write(out + '\n');
  return 0;
}

interface AdminAnswer {
  status: number;
  text: string;
  headers: IncomingHttpHeaders;
}

/**
 * One request to the admin listener over node:http or node:https (global fetch cannot be
 * given a CA or a client certificate without undici's own API).
 * @throws Error with a message that names the admin URL and, for TLS failures, the fix.
 */
function adminRequest(admin: URL, method: string, path: string, credentials: AdminCredentials, body?: string): Promise<AdminAnswer> {
  const url = new URL(admin.pathname.replace(/\/$/, '') + path, admin);
  const headers: Record<string, string> = {};
  if (credentials.authorization) headers.authorization = credentials.authorization;
  if (body !== undefined) headers['content-type'] = 'application/yaml';
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((done, fail) => {
    const req = send(url, { method, headers, ...credentials.tls, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', fail);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(err.code ?? '');
      const hint = tls ? `; if it uses a private CA, pass that CA with --ca-file FILE (or PRISM_ADMIN_CA)` : '';
      fail(new Error(`cannot reach the admin listener at ${admin.origin}: ${err.message}${hint}`));
    });
    req.end(body);
  });
}

/** What to tell the operator about a refused admin request. */
function refusalMessage(admin: URL, answer: AdminAnswer, credentials: AdminCredentials): string {
  let detail = answer.text;
  try {
    // The unified error body (core/render-error.ts): definition problems travel as the
    // field violations of a google.rpc.BadRequest detail.
    const body = JSON.parse(answer.text) as { message?: string; details?: { fieldViolations?: { description?: string }[] }[] };
    const violations = (body.details ?? []).flatMap((d) => d.fieldViolations ?? []);
    detail = [body.message, ...violations.map((v) => '  ' + (v.description ?? JSON.stringify(v)))].filter(Boolean).join('\n');
  } catch {
    // not JSON: print as is
  }
  switch (answer.status) {
    case 401:
      return credentials.authorization
        ? `the admin listener at ${admin.origin} did not accept the credentials of ${credentials.who} (401 Unauthorized)`
        : `the admin listener at ${admin.origin} requires credentials (401 Unauthorized): pass --user NAME[:PASSWORD] (PRISM_ADMIN_USER, PRISM_ADMIN_PASSWORD) or --token TOKEN (PRISM_ADMIN_TOKEN)`;
    case 403:
      return `${credentials.who ?? 'the caller'} may not use the admin API at ${admin.origin} (403 Forbidden): it needs the admin role for every namespace ('*')`;
    case 429:
      return `the admin listener at ${admin.origin} refused the attempt: too many failed authentication attempts from this address; retry in ${String(answer.headers['retry-after'] ?? 'a few')} s`;
    default:
      return detail || `the admin listener at ${admin.origin} answered ${answer.status}`;
  }
}

async function hashPasswordCommand(): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password === '') {
    process.stderr.write('no password on standard input\n');
    return 2;
  }
  process.stdout.write((await hashPassword(password)) + '\n');
  return 0;
}

async function serve(values: Record<string, string | boolean | undefined>): Promise<number> {
  const configFile = values.config as string | undefined;
  if (!configFile) {
    process.stderr.write(`serve needs --config FILE\n\n${HELP.serve}`);
    return 2;
  }
  const portText = (values.port as string | undefined) ?? process.env.PORT;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(`invalid port '${portText}'\n`);
    return 2;
  }
  const workersText = (values.workers as string | undefined) ?? process.env.PRISM_WORKERS ?? '1';
  const workers = parseWorkerCount(workersText, availableParallelism());
  if (workers === undefined) {
    process.stderr.write(`invalid worker count '${workersText}': a whole number from 1, or auto\n`);
    return 2;
  }
  const levelText = (values['log-level'] as string | undefined) ?? process.env.PRISM_LOG_LEVEL ?? 'info';
  const level = levelText.toLowerCase();
  // Checked here: pino would otherwise throw its own "default level:x must be included in
  // custom levels" from deep inside the start.
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    process.stderr.write(`invalid log level '${levelText}': one of ${LOG_LEVELS.join(', ')}\n\n${HELP.serve}`);
    return 2;
  }
  const dataDir = (values['data-dir'] as string | undefined) ?? process.env.PRISM_DATA_DIR;
  const loaded = loadGatewayConfig(configFile);
  if (workers > 1 && cluster.isPrimary) {
    // Definition errors are found once, here (exit 2), not by every worker.
    compileOffline(configFile, []);
    // The primary of several workers; each worker runs this same command and serves below.
    // The workers hold the users files: pass the operator's SIGHUP on to each of them.
    process.on('SIGHUP', () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGHUP');
    });
    return runCluster(loaded, { workers, dataDir, logLevel: level });
  }
  const link = isPrismWorker() ? connectWorker() : undefined;
  // node:cluster ends a worker the moment its primary goes away; this one drains first.
  if (link && cluster.worker) cluster.worker.exitedAfterDisconnect = true;
  const gateway = await startGateway(loaded, {
    host: (values.host as string | undefined) ?? process.env.PRISM_HOST,
    port,
    dataDir,
    logger: { level },
    cluster: link,
  });
  link?.listening({ url: gateway.url, adminUrl: gateway.adminUrl, grpcAddress: gateway.grpcAddress, probesUrl: gateway.probesUrl });
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = (signal: string) => {
      // A worker may hear both a terminal's SIGINT and its primary's SIGTERM: one drain.
      if (stopping) return;
      stopping = true;
      gateway.app.log.info({ signal }, 'shutting down');
      gateway.close().then(done, (err) => {
        process.stderr.write(`shutdown failed: ${(err as Error).message}\n`);
        done();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    // SIGHUP rereads the users file (each reload is logged); node's default would exit.
    process.on('SIGHUP', () => reloadUsersFiles('SIGHUP'));
    // A worker whose primary is gone (killed) stops too rather than serve on its own.
    if (link) process.once('disconnect', () => stop('primary gone'));
    // Under npm, npm's end is the supervisor's stop (operations/parent-watch.ts).
    else if (shouldWatchParent()) watchParent(() => stop('parent gone'));
  });
  return 0;
}

// `prism-gateway routes | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`prism-gateway: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  )
  // A worker's IPC channel would keep it alive after it has stopped (or failed to start).
  .finally(() => isPrismWorker() && process.exit(process.exitCode ?? 0));
