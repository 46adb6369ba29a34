/**
 * A schema from a request, parsed against its resolved references and given the identity
 * under which it is matched and stored (confluent-sr-api.md §3.2).
 */
import { createHash } from 'node:crypto';
import { contractIdentity, type DataContract } from '../contract/data-contract.js';
import { findSchemaFormat } from '../formats/index.js';
import { InvalidSchemaError, type ParsedSchema, type ParseOptions, type SchemaFormat, type SchemaReference } from '../formats/schema-format.js';
import { invalidSchema, RegistryError } from '../registry-error.js';
import type { SchemaReferenceMessage } from '../registry-messages.js';
import { compareStrings } from '../storage/compare-strings.js';
import type { WorkLimits } from '../work-budget.js';
import { budgeted } from './budgeted-work.js';
import type { ResolveReferences } from './reference-resolver.js';

/** A schema from a request, parsed and ready to be matched or stored. */
export interface Candidate {
  readonly format: SchemaFormat;
  readonly parsed: ParsedSchema;
  /** The text to store and to hash: canonical, or normalised with `normalize`. */
  readonly text: string;
  /** References with `-1` resolved to concrete versions. */
  readonly references: SchemaReference[];
  /** The data contract matched and stored with the schema (none: `{}`); part of `hash`. */
  readonly contract: DataContract;
  readonly hash: string;
  /**
   * Why the schema would be refused as a new one, when only its default values are wrong:
   * Confluent checks defaults for new schemas only, so it may still match a stored version
   * (an IMPORTed one), be looked up, or be imported.
   */
  readonly defaultsProblem?: RegistryError;
}

/** The schema fields of a register, lookup or compatibility request. */
export interface SchemaInput {
  readonly schema: string;
  readonly schema_type: string;
  readonly references: readonly SchemaReferenceMessage[];
  readonly normalize: boolean;
}

/**
 * Parses a schema from a request; `allowDeletedReferences` as in ResolveReferences.
 * @throws RegistryError INVALID_SCHEMA for an unknown type, empty text, an unresolvable
 *   reference, or text the format rejects.
 */
export type ParseCandidate = (input: SchemaInput, allowDeletedReferences: boolean) => Promise<Candidate>;

/**
 * Identity key: the text, then each reference (confluent-sr-api.md §3.2), then the data
 * contract if any (confluent-data-contracts.md §3.1); not the type. A schema without a
 * contract hashes as it did before contracts existed, so stored identities stay valid.
 */
function identityHash(text: string, references: readonly SchemaReference[], contract: DataContract): string {
  const hash = createHash('md5').update(text);
  for (const r of references) hash.update(`\u0000${r.name}\u0000${r.subject}\u0000${r.version}`);
  const extra = contractIdentity(contract);
  if (extra !== '') hash.update(`\u0001${extra}`);
  return hash.digest('hex');
}

/** The same schema with another data contract (and so another identity). */
export function withContract(candidate: Candidate, contract: DataContract): Candidate {
  const bare: DataContract = {
    ...(contract.metadata ? { metadata: contract.metadata } : {}),
    ...(contract.ruleSet ? { ruleSet: contract.ruleSet } : {}),
  };
  return { ...candidate, contract: bare, hash: identityHash(candidate.text, candidate.references, bare) };
}

/** Creates the parser of request schemas: references through `resolveReferences`, parsing within `work`. */
export function createCandidateParser(resolveReferences: ResolveReferences, work: WorkLimits): ParseCandidate {
  return async function parseCandidate(input: SchemaInput, allowDeletedReferences: boolean): Promise<Candidate> {
    const format = findSchemaFormat(input.schema_type);
    if (!format) throw invalidSchema(`Invalid schema type ${input.schema_type}`, { schema_type: input.schema_type });
    if (input.schema === '') throw invalidSchema('Empty schema');
    const requested = input.references.map((r) => ({ name: r.name, subject: r.subject, version: r.version }));
    const { resolved, concrete } = await resolveReferences(input.schema, requested, allowDeletedReferences);
    const parse = (options: ParseOptions) => {
      try {
        return budgeted(work, 'parsing the schema', () => format.parse(input.schema, resolved, options));
      } catch (err) {
        if (err instanceof RegistryError) throw err;
        if (err instanceof InvalidSchemaError) throw invalidSchema(err.message);
        throw invalidSchema(`Invalid schema ${input.schema}, details: ${(err as Error).message}`);
      }
    };
    let parsed: ParsedSchema;
    let defaultsProblem: RegistryError | undefined;
    try {
      parsed = parse({ validateDefaults: true });
    } catch (err) {
      // A used-up budget would be used up again.
      if (err instanceof RegistryError && err.metadata['limit'] !== undefined) throw err;
      // Valid but for its defaults? Then it is refused only where a new schema is made.
      try {
        parsed = parse({ validateDefaults: false });
      } catch {
        throw err;
      }
      defaultsProblem = err as RegistryError;
    }
    let references = concrete;
    if (input.normalize) {
      // Normalised identity sorts and de-duplicates references (§3.2).
      const seen = new Set<string>();
      references = [...concrete]
        .sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.subject, b.subject) || a.version - b.version)
        .filter((r) => {
          const key = `${r.name}\u0000${r.subject}\u0000${r.version}`;
          return seen.has(key) ? false : (seen.add(key), true);
        });
    }
    const text = input.normalize ? parsed.normalized : parsed.canonical;
    return { format, parsed, text, references, contract: {}, hash: identityHash(text, references, {}), defaultsProblem };
  };
}
