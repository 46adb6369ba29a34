/**
 * Confluent's protobuf `SchemaDiff.compare(original, update)` (compatibility-rules.md §4.1):
 * file → types at each scope → messages → fields. Returns every difference, compatible or
 * not; the caller filters with PROTO_COMPATIBLE_CHANGES.
 */
import { spendWork } from '../../work-budget.js';
import type { ProtobufModel } from './parse-protobuf.js';
import type { Label, ProtoEnum, ProtoField, ProtoMessage, ProtoOneof, ProtoTypeElement } from './proto-model.js';
import { ProtoDiffContext, type Side } from './proto-diff-context.js';
import type { ProtoDifference } from './proto-difference.js';
import { isScalarType } from './scalar-types.js';

/** A field's type as the diff sees it: a scalar or named type, or a map of two of them. */
type FieldType = { readonly map: false; readonly name: string } | { readonly map: true; readonly key: string; readonly value: string };

function fieldType(f: ProtoField): FieldType {
  return f.mapKey === null ? { map: false, name: f.type } : { map: true, key: f.mapKey, value: f.type };
}

type Kind = 'SCALAR' | 'MAP' | 'MESSAGE';
type ScalarKind = 'GENERAL_NUMBER' | 'SIGNED_NUMBER' | 'STRING_OR_BYTES' | 'FIXED32' | 'FIXED64' | 'FLOAT' | 'DOUBLE';

// Wire-compatible groups from the protobuf language guide ("Updating A Message Type").
const SCALAR_KIND: Readonly<Record<string, ScalarKind>> = {
  int32: 'GENERAL_NUMBER', int64: 'GENERAL_NUMBER', uint32: 'GENERAL_NUMBER', uint64: 'GENERAL_NUMBER', bool: 'GENERAL_NUMBER',
  sint32: 'SIGNED_NUMBER', sint64: 'SIGNED_NUMBER',
  string: 'STRING_OR_BYTES', bytes: 'STRING_OR_BYTES',
  fixed32: 'FIXED32', sfixed32: 'FIXED32',
  fixed64: 'FIXED64', sfixed64: 'FIXED64',
  float: 'FLOAT', double: 'DOUBLE',
};

function kindOf(ctx: ProtoDiffContext, t: FieldType, side: Side): Kind {
  if (t.map) return 'MAP';
  if (isScalarType(t.name)) return 'SCALAR';
  // Enums travel as varints, so they sit with the scalars.
  return ctx.typeFor(t.name, side)?.element.kind === 'enum' ? 'SCALAR' : 'MESSAGE';
}

function scalarKindOf(ctx: ProtoDiffContext, name: string, side: Side): ScalarKind {
  if (ctx.typeFor(name, side)?.element.kind === 'enum') return 'GENERAL_NUMBER';
  return SCALAR_KIND[name] ?? 'GENERAL_NUMBER';
}

function compareScalars(ctx: ProtoDiffContext, originalLabel: Label, updateLabel: Label, original: string, update: string): void {
  const o = scalarKindOf(ctx, original, 'original');
  const u = scalarKindOf(ctx, update, 'update');
  if (o !== u) {
    ctx.add('FIELD_SCALAR_KIND_CHANGED');
    return;
  }
  // Only two explicit, different labels count: proto3's implicit label and map fields are
  // null, so `int32 a` → `repeated int32 a` is not reported (wire's view of labels).
  if (originalLabel !== null && updateLabel !== null && originalLabel !== updateLabel) {
    ctx.add(o === 'STRING_OR_BYTES' ? 'FIELD_STRING_OR_BYTES_LABEL_CHANGED' : 'FIELD_NUMERIC_LABEL_CHANGED');
  }
}

function localName(fullName: string, packageName: string): string {
  return packageName !== '' && fullName.startsWith(`${packageName}.`) ? fullName.slice(packageName.length + 1) : fullName;
}

function compareMessageTypes(ctx: ProtoDiffContext, original: string, update: string): void {
  const originalFull = ctx.resolve(original, 'original');
  const updateFull = ctx.resolve(update, 'update');
  if (originalFull === null || updateFull === null) {
    if (original !== update) ctx.add('FIELD_NAMED_TYPE_CHANGED');
    return;
  }
  const o = ctx.typeForFullName(originalFull, 'original')!;
  const u = ctx.typeForFullName(updateFull, 'update')!;
  const oName = localName(originalFull, o.packageName);
  const uName = localName(updateFull, u.packageName);
  if (oName !== uName) {
    ctx.add('FIELD_NAMED_TYPE_CHANGED');
    return;
  }
  const oRef = o.origin;
  const uRef = u.origin;
  // Types from the same place are diffed by the walk over that place's types anyway.
  if (oRef !== null && uRef !== null && oRef.subject === uRef.subject && oRef.version === uRef.version) return;
  if (o.element.kind !== 'message' || u.element.kind !== 'message') return;
  const sub = ctx.subcontext({ original: o.packageName, update: u.packageName }, oName);
  compareMessages(sub, o.element, u.element);
  ctx.differences.push(...sub.differences);
  if (!sub.isCompatible()) ctx.add('FIELD_NAMED_TYPE_CHANGED');
}

function compareLabelsAndTypes(ctx: ProtoDiffContext, originalLabel: Label, updateLabel: Label, original: FieldType, update: FieldType): void {
  const ok = kindOf(ctx, original, 'original');
  const uk = kindOf(ctx, update, 'update');
  if (ok !== uk) {
    ctx.add('FIELD_KIND_CHANGED');
    return;
  }
  if (original.map && update.map) {
    compareLabelsAndTypes(ctx, null, null, { map: false, name: original.key }, { map: false, name: update.key });
    compareLabelsAndTypes(ctx, null, null, { map: false, name: original.value }, { map: false, name: update.value });
  } else if (!original.map && !update.map) {
    if (ok === 'SCALAR') compareScalars(ctx, originalLabel, updateLabel, original.name, update.name);
    else compareMessageTypes(ctx, original.name, update.name);
  }
}

function compareFields(ctx: ProtoDiffContext, original: ProtoField, update: ProtoField): void {
  if (original.name !== update.name) ctx.add('FIELD_NAME_CHANGED');
  // Labels are passed for message fields too, but only the scalar branch looks at them.
  compareLabelsAndTypes(ctx, original.label, update.label, fieldType(original), fieldType(update));
}

interface FieldTable {
  readonly byTag: Map<number, ProtoField>;
  readonly oneofOf: Map<number, string>;
  readonly oneofs: Map<string, ProtoOneof>;
}

function tableOf(m: ProtoMessage): FieldTable {
  const byTag = new Map<number, ProtoField>();
  const oneofOf = new Map<number, string>();
  const oneofs = new Map<string, ProtoOneof>();
  for (const f of m.fields) byTag.set(f.tag, f);
  for (const o of m.oneofs) {
    oneofs.set(o.name, o);
    for (const f of o.fields) {
      byTag.set(f.tag, f);
      oneofOf.set(f.tag, o.name);
    }
  }
  return { byTag, oneofOf, oneofs };
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareMessageBodies(ctx: ProtoDiffContext, original: ProtoMessage, update: ProtoMessage): void {
  // Fields are matched by tag across the whole message, whatever oneof they sit in, so that
  // a oneof rename or move cannot hide a type change or a removal.
  const o = tableOf(original);
  const u = tableOf(update);

  // A oneof gone by name with none of its members left anywhere is a clean deletion.
  const deletedOneofs = new Set<string>();
  for (const [name, oneof] of o.oneofs) {
    if (!u.oneofs.has(name) && !oneof.fields.some((f) => u.byTag.has(f.tag))) deletedOneofs.add(name);
  }

  // New mutual exclusion: members of one new oneof that were independent before.
  for (const oneof of update.oneofs) {
    ctx.atPath(oneof.name, () => {
      const groups = new Set<string>();
      let topLevelMovedIn = 0;
      for (const f of oneof.fields) {
        const from = o.oneofOf.get(f.tag);
        if (from !== undefined) groups.add(`oneof:${from}`);
        else if (o.byTag.has(f.tag)) {
          groups.add(`field:${f.tag}`);
          topLevelMovedIn++;
        }
      }
      if (groups.size > 1) ctx.add(topLevelMovedIn > 1 ? 'MULTIPLE_FIELDS_MOVED_TO_ONEOF' : 'FIELD_MOVED_TO_EXISTING_ONEOF');
    });
  }

  for (const name of [...new Set([...o.oneofs.keys(), ...u.oneofs.keys()])].sort(byCodePoint)) {
    ctx.atPath(name, () => {
      if (!u.oneofs.has(name)) ctx.add('ONEOF_REMOVED');
      else if (!o.oneofs.has(name)) ctx.add('ONEOF_ADDED');
    });
  }

  const tags = [...new Set([...o.byTag.keys(), ...u.byTag.keys()])].sort((a, b) => a - b);
  for (const tag of tags) {
    const of = o.byTag.get(tag);
    const uf = u.byTag.get(tag);
    const oOneof = o.oneofOf.get(tag);
    const uOneof = u.oneofOf.get(tag);
    const t = String(tag);
    if (uf === undefined) {
      if (oOneof !== undefined) {
        if (!deletedOneofs.has(oOneof)) ctx.atPath(oOneof, () => ctx.atPath(t, () => ctx.add('ONEOF_FIELD_REMOVED')));
      } else {
        ctx.atPath(t, () => ctx.add(of!.label === 'required' ? 'REQUIRED_FIELD_REMOVED' : 'FIELD_REMOVED'));
      }
    } else if (of === undefined) {
      if (uOneof !== undefined) ctx.atPath(uOneof, () => ctx.atPath(t, () => ctx.add('ONEOF_FIELD_ADDED')));
      else ctx.atPath(t, () => ctx.add(uf.label === 'required' ? 'REQUIRED_FIELD_ADDED' : 'FIELD_ADDED'));
    } else {
      if (oOneof !== undefined && uOneof === undefined) ctx.atPath(t, () => ctx.add('ONEOF_FIELD_MOVED_TO_TOP_LEVEL'));
      if (uOneof !== undefined) ctx.atPath(uOneof, () => ctx.atPath(t, () => compareFields(ctx, of, uf)));
      else ctx.atPath(t, () => compareFields(ctx, of, uf));
    }
  }
}

export function compareMessages(ctx: ProtoDiffContext, original: ProtoMessage, update: ProtoMessage): void {
  // Referenced message types are compared again at every use (no memo, as in Confluent):
  // the budget bounds what a graph of references can make of that.
  spendWork(1 + ((original.fields.length + update.fields.length) >> 4));
  // A message already being compared higher up is skipped, but its nested types still are.
  ctx.guard(original, () => compareMessageBodies(ctx, original, update));
  compareTypeElements(ctx, original.nested, update.nested);
}

function compareEnums(ctx: ProtoDiffContext, original: ProtoEnum, update: ProtoEnum): void {
  // Constants are matched by number; with allow_alias the last name of a number wins, as in
  // Confluent's map building.
  const o = new Map(original.constants.map((c) => [c.tag, c.name] as const));
  const u = new Map(update.constants.map((c) => [c.tag, c.name] as const));
  for (const tag of [...new Set([...o.keys(), ...u.keys()])].sort((a, b) => a - b)) {
    ctx.atPath(String(tag), () => {
      if (!u.has(tag)) ctx.add('ENUM_CONST_REMOVED');
      else if (!o.has(tag)) ctx.add('ENUM_CONST_ADDED');
      else if (o.get(tag) !== u.get(tag)) ctx.add('ENUM_CONST_CHANGED');
    });
  }
}

interface ScopeTable {
  readonly messages: Map<string, { message: ProtoMessage; index: number }>;
  readonly enums: Map<string, ProtoEnum>;
  readonly order: string[];
  readonly enumOrder: string[];
}

function scopeOf(types: readonly ProtoTypeElement[]): ScopeTable {
  const messages = new Map<string, { message: ProtoMessage; index: number }>();
  const enums = new Map<string, ProtoEnum>();
  const order: string[] = [];
  const enumOrder: string[] = [];
  let index = 0;
  for (const t of types) {
    if (t.kind === 'message') {
      messages.set(t.name, { message: t, index: index++ });
      order.push(t.name);
    } else {
      enums.set(t.name, t);
      enumOrder.push(t.name);
    }
  }
  return { messages, enums, order, enumOrder };
}

/** Union of two name lists: first list's order, then the new names of the second. */
function unionInOrder(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

export function compareTypeElements(ctx: ProtoDiffContext, original: readonly ProtoTypeElement[], update: readonly ProtoTypeElement[]): void {
  const o = scopeOf(original);
  const u = scopeOf(update);
  // Confluent iterates a HashSet here; declaration order gives the same set of differences
  // in a stable order. Map-entry messages never occur: protobufjs keeps maps as map fields.
  for (const name of unionInOrder(o.order, u.order)) {
    ctx.inType(name, () => {
      const om = o.messages.get(name);
      const um = u.messages.get(name);
      if (um === undefined) ctx.add('MESSAGE_REMOVED');
      else if (om === undefined) ctx.add('MESSAGE_ADDED');
      else {
        compareMessages(ctx, om.message, um.message);
        if (om.index !== um.index) ctx.add('MESSAGE_MOVED');
      }
    });
  }
  for (const name of unionInOrder(o.enumOrder, u.enumOrder)) {
    ctx.inType(name, () => {
      const oe = o.enums.get(name);
      const ue = u.enums.get(name);
      if (ue === undefined) ctx.add('ENUM_REMOVED');
      else if (oe === undefined) ctx.add('ENUM_ADDED');
      else compareEnums(ctx, oe, ue);
    });
  }
}

/** Every difference from `original` to `update` (update reads data written with original). */
export function diffProtobuf(original: ProtobufModel, update: ProtobufModel): ProtoDifference[] {
  const ctx = new ProtoDiffContext(
    { original: original.index, update: update.index },
    { original: original.file.packageName ?? '', update: update.file.packageName ?? '' },
  );
  if ((original.file.packageName ?? null) !== (update.file.packageName ?? null)) ctx.add('PACKAGE_CHANGED');
  compareTypeElements(ctx, original.file.types, update.file.types);
  return ctx.differences;
}
