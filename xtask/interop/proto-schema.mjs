// Checks every declaration of our protobuf schema (proto/*.proto, package wa)
// against the reference schema shipped in the Baileys package
// (node_modules/baileys/WAProto/WAProto.proto, package proto):
//   - every message and enum we declare exists at the same path;
//   - every field we declare has the same number, name, type, label
//     (repeated or not), explicit presence (proto3 `optional`), packing and
//     oneof as the reference field with that number;
//   - every enum we declare has exactly the reference's values.
// Fields of the reference we leave out are fine (prost skips them on decode);
// they are counted in the summary.
//
// Usage (from the oracle folder): node proto-schema.mjs <proto dir>
// (LIST_OMITTED=1 also lists the reference fields left out.)
// Prints a summary line; exits 1 with one line per mismatch.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(process.cwd() + '/');
const protobuf = require('protobufjs');

const protoDir = path.resolve(process.argv[2] ?? '../../../proto');
const refFile = path.join(process.cwd(), 'node_modules/baileys/WAProto/WAProto.proto');

const ours = new protobuf.Root();
const files = fs.readdirSync(protoDir).filter((f) => f.endsWith('.proto')).sort();
ours.loadSync(files.map((f) => path.join(protoDir, f)), { keepCase: true });
ours.resolveAll();
const ref = new protobuf.Root();
ref.loadSync(refFile, { keepCase: true });
ref.resolveAll();

const oursPkg = ours.lookup('wa');
const refPkg = ref.lookup('proto');
if (!oursPkg || !refPkg) {
  console.error('package wa (ours) or proto (reference) not found');
  process.exit(1);
}

// Scalars that are `required` upstream (proto2) and unlabeled in the proto3
// reference; we declare them `optional` so a set default is still written.
const REQUIRED_UPSTREAM = new Set([
  'HistorySync.syncType',
  'Conversation.id',
  'GroupParticipant.userJid',
  'UserReceipt.userJid',
  'StatusPSA.campaignId',
  'LIDMigrationMapping.pn',
  'LIDMigrationMapping.assignedLid',
]);

const errors = [];
const stats = { messages: 0, enums: 0, fields: 0, enumValues: 0, refFieldsNotDeclared: 0, presenceWidened: [] };

// Path of a reflected type relative to its package, e.g. "Message.ImageMessage".
function rel(type, pkg) {
  return type.fullName.slice(pkg.fullName.length + 1);
}

function fieldType(f, pkg) {
  if (f.resolvedType) return rel(f.resolvedType, pkg);
  return f.type;
}

// A proto3 `optional` field is a member of a synthetic oneof named `_<field>`.
function realOneof(f) {
  return f.partOf && !f.partOf.name.startsWith('_') ? f.partOf.name : null;
}
function explicitPresence(f) {
  return !!(f.partOf && f.partOf.name.startsWith('_'));
}

function checkEnum(o, r, where) {
  stats.enums++;
  const ov = o.values;
  const rv = r.values;
  for (const [name, num] of Object.entries(ov)) {
    stats.enumValues++;
    if (!(name in rv)) errors.push(`${where}: enum value ${name} not in reference`);
    else if (rv[name] !== num) errors.push(`${where}.${name}: number ${num}, reference ${rv[name]}`);
  }
  for (const name of Object.keys(rv)) {
    if (!(name in ov)) errors.push(`${where}: enum value ${name} missing (enums are declared whole)`);
  }
}

function checkMessage(o, r, where) {
  stats.messages++;
  const refById = new Map(r.fieldsArray.map((f) => [f.id, f]));
  for (const f of o.fieldsArray) {
    stats.fields++;
    const rf = refById.get(f.id);
    const at = `${where}.${f.name} = ${f.id}`;
    if (!rf) {
      errors.push(`${at}: no field with this number in the reference`);
      continue;
    }
    if (rf.name !== f.name) errors.push(`${at}: named ${rf.name} in the reference`);
    const ot = fieldType(f, oursPkg);
    const rt = fieldType(rf, refPkg);
    if (ot !== rt) errors.push(`${at}: type ${ot}, reference ${rt}`);
    if (f.repeated !== rf.repeated) errors.push(`${at}: repeated=${f.repeated}, reference ${rf.repeated}`);
    if (f.map !== rf.map) errors.push(`${at}: map=${f.map}, reference ${rf.map}`);
    if (f.repeated && f.packed !== rf.packed) errors.push(`${at}: packed=${f.packed}, reference ${rf.packed}`);
    if (explicitPresence(f) !== explicitPresence(rf)) {
      // Allowed one way only, for the listed fields that are `required` in
      // WhatsApp's proto2 schema (see proto/wa.proto).
      const name = `${where}.${f.name}`;
      if (explicitPresence(f) && REQUIRED_UPSTREAM.has(name)) stats.presenceWidened.push(name);
      else errors.push(`${at}: optional=${explicitPresence(f)}, reference ${explicitPresence(rf)}`);
    }
    if (realOneof(f) !== realOneof(rf)) errors.push(`${at}: oneof ${realOneof(f)}, reference ${realOneof(rf)}`);
  }
  const omitted = r.fieldsArray.filter((rf) => !o.fields[rf.name]);
  stats.refFieldsNotDeclared += omitted.length;
  if (process.env.LIST_OMITTED) {
    for (const rf of omitted) console.error(`not declared: ${where}.${rf.name} = ${rf.id}`);
  }
}

function walk(ns, where) {
  for (const child of ns.nestedArray ?? []) {
    const name = where ? `${where}.${child.name}` : child.name;
    const refChild = refPkg.lookup(name);
    if (child instanceof protobuf.Type) {
      if (!(refChild instanceof protobuf.Type) || rel(refChild, refPkg) !== name) {
        errors.push(`${name}: message not in the reference`);
      } else {
        checkMessage(child, refChild, name);
      }
      walk(child, name);
    } else if (child instanceof protobuf.Enum) {
      if (!(refChild instanceof protobuf.Enum) || rel(refChild, refPkg) !== name) {
        errors.push(`${name}: enum not in the reference`);
      } else {
        checkEnum(child, refChild, name);
      }
    } else if (child instanceof protobuf.Namespace) {
      walk(child, name);
    }
  }
}

walk(oursPkg, '');

if (errors.length) {
  for (const e of errors) console.error(`schema mismatch: ${e}`);
  console.error(`${errors.length} mismatch(es)`);
  process.exit(1);
}
console.log(
  `schema ok: ${files.length} files, ${stats.messages} messages, ${stats.fields} fields, ` +
    `${stats.enums} enums (${stats.enumValues} values) match the reference; ` +
    `${stats.refFieldsNotDeclared} reference fields of those messages are not declared; ` +
    `declared optional (required upstream): ${stats.presenceWidened.join(', ') || 'none'}`,
);
