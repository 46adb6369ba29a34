/**
 * Can an Avro reader schema read data written with a writer schema? A port of the
 * algorithm of Apache Avro's Java `SchemaCompatibility.ReaderWriterCompatibilityChecker`
 * (compatibility-rules.md §2.1), which Confluent's `AvroSchema.isBackwardCompatible` calls,
 * walking our Avro model and reporting every incompatibility with Avro's type, location
 * and message, rendered in Confluent's verbose format (§2.2).
 */
import { spendWork } from '../../work-budget.js';
import { avroTypeName, type AvroEnum, type AvroFixed, type AvroNamed, type AvroNode, type AvroRecord } from './avro-model.js';

export type AvroIncompatibilityType =
  | 'NAME_MISMATCH'
  | 'FIXED_SIZE_MISMATCH'
  | 'MISSING_ENUM_SYMBOLS'
  | 'READER_FIELD_MISSING_DEFAULT_VALUE'
  | 'TYPE_MISMATCH'
  | 'MISSING_UNION_BRANCH';

export interface AvroIncompatibility {
  readonly type: AvroIncompatibilityType;
  /** Avro's location pointer, e.g. `/fields/1/type`. */
  readonly path: string;
  /** Avro's message, e.g. `reader type: STRING not compatible with writer type: INT`. */
  readonly message: string;
}

/** Thrown by the walk where Java throws (a reader field matching several writer fields). */
export class AvroCheckError extends Error {
  override readonly name = 'AvroCheckError';
}

const PROMOTIONS: Readonly<Record<string, readonly string[]>> = {
  LONG: ['INT'],
  FLOAT: ['INT', 'LONG'],
  DOUBLE: ['INT', 'LONG', 'FLOAT'],
  BYTES: ['STRING'],
  STRING: ['BYTES'],
};

/**
 * Every incompatibility found when `reader` reads data written with `writer`; empty means
 * compatible.
 * @throws AvroCheckError where Avro's Java checker throws.
 */
export function findAvroIncompatibilities(reader: AvroNode, writer: AvroNode): AvroIncompatibility[] {
  return new Checker().check(reader, writer, []);
}

type Result = AvroIncompatibility[];
// Marks a (reader, writer) pair whose check is under way: meeting it again (a recursive
// type) counts as compatible, as in Java's memo table.
const IN_PROGRESS: Result = [];

class Checker {
  private readonly memo = new Map<AvroNode, Map<AvroNode, Result>>();

  check(reader: AvroNode, writer: AvroNode, location: string[]): Result {
    spendWork();
    let byWriter = this.memo.get(reader);
    if (!byWriter) this.memo.set(reader, (byWriter = new Map()));
    const known = byWriter.get(writer);
    if (known) return known === IN_PROGRESS ? [] : known;
    byWriter.set(writer, IN_PROGRESS);
    const result = this.calculate(reader, writer, location);
    byWriter.set(writer, result);
    return result;
  }

  private at(token: string, reader: AvroNode, writer: AvroNode, location: string[]): Result {
    return this.check(reader, writer, [...location, token]);
  }

  private calculate(reader: AvroNode, writer: AvroNode, location: string[]): Result {
    const readerType = avroTypeName(reader);
    const writerType = avroTypeName(writer);
    if (readerType === writerType) {
      switch (reader.kind) {
        case 'primitive':
          return [];
        case 'array':
          return this.at('items', reader.items, (writer as typeof reader).items, location);
        case 'map':
          return this.at('values', reader.values, (writer as typeof reader).values, location);
        case 'fixed':
          return [...this.names(reader, writer as AvroNamed, location), ...this.fixedSize(reader, writer as AvroFixed, location)];
        case 'enum':
          return [...this.names(reader, writer as AvroNamed, location), ...this.enumSymbols(reader, writer as AvroEnum, location)];
        case 'record':
          return [...this.names(reader, writer as AvroNamed, location), ...this.recordFields(reader, writer as AvroRecord, location)];
        case 'union': {
          // Each writer branch must be readable by the reader union.
          const out: Result = [];
          (writer as typeof reader).branches.forEach((branch, i) => {
            const branchLocation = [...location, String(i)];
            if (this.check(reader, branch, branchLocation).length > 0) {
              out.push(incompatible('MISSING_UNION_BRANCH', branchLocation, `reader union lacking writer type: ${avroTypeName(branch)}`));
            }
          });
          return out;
        }
      }
    }
    // A writer union is readable when every one of its branches is; errors are reported as
    // they are, per branch.
    if (writer.kind === 'union') {
      return writer.branches.flatMap((branch, i) => this.at(String(i), reader, branch, location));
    }
    if (reader.kind === 'union') {
      for (const branch of reader.branches) {
        if (this.check(branch, writer, location).length === 0) return [];
      }
      return [incompatible('MISSING_UNION_BRANCH', location, `reader union lacking writer type: ${writerType}`)];
    }
    if (PROMOTIONS[readerType]?.includes(writerType)) return [];
    return [incompatible('TYPE_MISMATCH', location, `reader type: ${readerType} not compatible with writer type: ${writerType}`)];
  }

  // Unqualified names equal, or a reader alias equals the writer's full name.
  private names(reader: AvroNamed, writer: AvroNamed, location: string[]): Result {
    if (reader.name.name === writer.name.name || reader.aliases.includes(writer.name.full)) return [];
    return [incompatible('NAME_MISMATCH', [...location, 'name'], `expected: ${writer.name.full}`)];
  }

  private fixedSize(reader: AvroFixed, writer: AvroFixed, location: string[]): Result {
    if (reader.size === writer.size) return [];
    return [incompatible('FIXED_SIZE_MISMATCH', [...location, 'size'], `expected: ${writer.size}, found: ${reader.size}`)];
  }

  private enumSymbols(reader: AvroEnum, writer: AvroEnum, location: string[]): Result {
    spendWork(1 + ((reader.symbols.length + writer.symbols.length) >> 6));
    const readerSymbols = new Set(reader.symbols);
    const missing = [...new Set(writer.symbols)].filter((s) => !readerSymbols.has(s)).sort();
    if (missing.length === 0) return [];
    // A reader enum default absorbs unknown writer symbols.
    if (reader.default !== undefined && reader.symbols.includes(reader.default)) return [];
    return [incompatible('MISSING_ENUM_SYMBOLS', [...location, 'symbols'], `[${missing.join(', ')}]`)];
  }

  private recordFields(reader: AvroRecord, writer: AvroRecord, location: string[]): Result {
    const out: Result = [];
    // The first writer field of each name, as `find` would give (an index: records with
    // thousands of fields would otherwise cost fields² per pair).
    const writerByName = new Map<string, (typeof writer.fields)[number]>();
    for (const w of writer.fields) if (!writerByName.has(w.name)) writerByName.set(w.name, w);
    spendWork(1 + ((reader.fields.length + writer.fields.length) >> 4));
    reader.fields.forEach((field, pos) => {
      const fieldLocation = [...location, 'fields', String(pos)];
      const matches = [field.name, ...field.aliases]
        .map((name) => writerByName.get(name))
        .filter((w) => w !== undefined);
      if (matches.length > 1) {
        throw new AvroCheckError(`Reader record field ${field.name} matches multiple fields in writer record schema ${writer.name.full}`);
      }
      const writerField = matches[0];
      if (writerField) {
        out.push(...this.at('type', field.type, writerField.type, fieldLocation));
      } else if (!field.hasDefault) {
        // Java's quirk: an enum with an enum-level default is checked against the writer
        // record itself, which is a TYPE_MISMATCH (compatibility-rules.md §2.1 rule 5).
        if (field.type.kind === 'enum' && field.type.default !== undefined) {
          out.push(...this.at('type', field.type, writer, fieldLocation));
        } else {
          out.push(incompatible('READER_FIELD_MISSING_DEFAULT_VALUE', fieldLocation, field.name));
        }
      }
    });
    return out;
  }
}

function incompatible(type: AvroIncompatibilityType, location: readonly string[], message: string): AvroIncompatibility {
  return { type, path: `/${location.join('/')}`, message };
}

/**
 * Confluent's verbose rendering of one Avro incompatibility (compatibility-rules.md §2.2);
 * `reader` and `writer` say which of the two schemas is the "new" and the "old" one.
 */
export function formatAvroIncompatibility(item: AvroIncompatibility, reader: string, writer: string): string {
  const p = item.path;
  let description: string;
  switch (item.type) {
    case 'FIXED_SIZE_MISMATCH':
      description = `The size of FIXED type field at path '${p}' in the ${reader} schema does not match with the ${writer} schema`;
      break;
    case 'TYPE_MISMATCH':
      description = `The type (path '${p}') of a field in the ${reader} schema does not match with the ${writer} schema`;
      break;
    case 'NAME_MISMATCH':
      description = `The name of the schema has changed (path '${p}')`;
      break;
    case 'MISSING_ENUM_SYMBOLS':
      description = `The ${reader} schema is missing enum symbols '${item.message}' at path '${p}' in the ${writer} schema`;
      break;
    case 'MISSING_UNION_BRANCH':
      description = `The ${reader} schema is missing a type inside a union field at path '${p}' in the ${writer} schema`;
      break;
    case 'READER_FIELD_MISSING_DEFAULT_VALUE':
      description = `The field '${item.message}' at path '${p}' in the ${reader} schema has no default value and is missing in the ${writer} schema`;
      break;
  }
  return `{errorType:'${item.type}', description:'${description}', additionalInfo:'${item.message}'}`;
}
