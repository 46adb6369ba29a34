/**
 * Test databases on the machine's PostgreSQL (127.0.0.1:5432, trust auth; CI starts it):
 * each test creates its own, uniquely named, and drops it afterwards.
 */
import pg from 'pg';

const ADMIN_URL = process.env.PRISM_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  /** Drops the database (ending whatever is still connected to it). */
  drop(): Promise<void>;
}

let counter = 0;

async function admin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database with a name no other test run uses. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `prism_${label}_${process.pid}_${Date.now().toString(36)}_${++counter}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await admin((c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * A fresh schema inside `db`, as a URL whose connections use it (search_path): far cheaper
 * than a database per test. Advisory locks and NOTIFY channels stay database-wide, so tests
 * that count notifications need a database of their own.
 */
export async function createTestSchema(db: TestDatabase, label: string): Promise<string> {
  const name = `${label}_${++counter}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(db.url);
  url.searchParams.set('options', `-c search_path=${name}`);
  return url.toString();
}
