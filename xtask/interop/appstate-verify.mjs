// App-state interop for `cargo xtask interop appstate`: Baileys 7.0.0-rc14 decodes and
// verifies a snapshot and patches that wa-proto encrypted and MACed.
//
//   node appstate-verify.mjs <input.json>
//
// Input: { name, key_id, key_data, snapshot: {version, mac, records: [{index_mac, value_blob}]},
//          patches: [{version, snapshot_mac, patch_mac, mutations: [{operation, index_mac, value_blob}]}] }
// (hex bytes). The snapshot goes through `decodeSyncdSnapshot`, the patches through
// `decodePatches` (which runs `decodeSyncdPatch`), all with MAC validation on. Baileys
// only logs some MAC failures (snapshot/LTHash mismatch, skipped patches) and silently
// skips records whose value MAC fails, so the script collects the logger's warnings and
// the decoded mutations. Output: { snapshot_hash, final_hash, final_version,
// decoded: [index JSON...], warnings: [...] }.
import { readFile } from 'node:fs/promises';
import { hex, loadBaileys, unhex } from './media-common.mjs';

const B = await loadBaileys();
const { proto } = B;
const input = JSON.parse(await readFile(process.argv[2], 'utf8'));
const keyId = unhex(input.key_id);
const keyIdB64 = keyId.toString('base64');
const getKey = async (id) => (id === keyIdB64 ? { keyData: unhex(input.key_data) } : undefined);
const warnings = [];
const logger = {
  warn: (obj, msg) => warnings.push(`${msg ?? ''} ${JSON.stringify(obj)}`),
  trace() {}, debug() {}, info() {}, error: (obj, msg) => warnings.push(`error ${msg}`),
  child() { return logger; },
};
const record = (r) => ({ index: { blob: unhex(r.index_mac) }, value: { blob: unhex(r.value_blob) }, keyId: { id: keyId } });

const snapshot = proto.SyncdSnapshot.fromObject({
  version: { version: input.snapshot.version },
  records: input.snapshot.records.map(record),
  mac: unhex(input.snapshot.mac),
  keyId: { id: keyId },
});
const snap = await B.decodeSyncdSnapshot(input.name, snapshot, getKey, undefined, true, logger);
const decoded = Object.keys(snap.mutationMap);
const snapshotHash = hex(snap.state.hash);

const patches = input.patches.map((p) => proto.SyncdPatch.fromObject({
  version: { version: p.version },
  mutations: p.mutations.map((m) => ({ operation: m.operation, record: record(m) })),
  snapshotMac: unhex(p.snapshot_mac),
  patchMac: unhex(p.patch_mac),
  keyId: { id: keyId },
}));
const result = await B.decodePatches(input.name, patches, snap.state, getKey, {}, undefined, logger, true);
decoded.push(...Object.keys(result.mutationMap));

process.stdout.write(JSON.stringify({
  snapshot_hash: snapshotHash,
  final_hash: hex(result.state.hash),
  final_version: result.state.version,
  decoded,
  warnings,
}) + '\n');
