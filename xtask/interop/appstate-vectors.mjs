// Produces crates/wa-proto/tests/vectors/appstate.json from Baileys 7.0.0-rc14:
//
//   node xtask/interop/appstate-vectors.mjs > crates/wa-proto/tests/vectors/appstate.json
//
// (run from target/oracles/baileys; `cargo xtask interop appstate` regenerates it and
// fails on any difference from the committed file).
// * mutation_keys: `expandAppStateKeys` (the WASM function Baileys' chat-utils calls),
//   checked against Baileys' `hkdf(keyData, 160, 'WhatsApp Mutation Keys')`.
// * lthash: Baileys' `LT_HASH_ANTI_TAMPERING.subtractThenAdd`.
// * patches: Baileys' `encodeSyncdPatch` (its JS value MAC, index MAC, snapshot MAC, patch
//   MAC and LTHash update) on a fixed sequence of mutations, with a deterministic
//   crypto.randomBytes supplying the IVs; each value is decrypted back as a self-check.
// * patch_macs: multi-mutation patch MACs from the WASM `generatePatchMac`, checked
//   against Baileys' JS on the single-mutation patches above.
import {
  assertEq, detBytes, deterministicRandomBytes, hex, loadBaileys, loadBridge,
} from './media-common.mjs';

deterministicRandomBytes('wa-gateway appstate vectors');
const B = await loadBaileys();
const W = await loadBridge();
const { proto } = B;
const SET = proto.SyncdMutation.SyncdOperation.SET;
const REMOVE = proto.SyncdMutation.SyncdOperation.REMOVE;

const expand = (keyData) => {
  const k = W.expandAppStateKeys(keyData);
  const viaHkdf = B.hkdf(keyData, 160, { info: 'WhatsApp Mutation Keys' });
  const parts = [k.indexKey, k.valueEncryptionKey, k.valueMacKey, k.snapshotMacKey, k.patchMacKey];
  assertEq(Buffer.concat(parts.map((p) => Buffer.from(p))), viaHkdf, 'expandAppStateKeys vs hkdf');
  return parts;
};

const mutationKeys = [];
for (const [i, len] of [[0, 32], [1, 32], [2, 16], [3, 77]]) {
  const keyData = detBytes(`app state key data ${i}`, len);
  const [index, valueEncryption, valueMac, snapshotMac, patchMac] = expand(keyData);
  mutationKeys.push({
    key_data: hex(keyData), index: hex(index), value_encryption: hex(valueEncryption),
    value_mac: hex(valueMac), snapshot_mac: hex(snapshotMac), patch_mac: hex(patchMac),
  });
}

const L = B.LT_HASH_ANTI_TAMPERING;
const vm = (j) => detBytes(`value mac ${j}`, 32);
const zero = Buffer.alloc(128);
const lthash = [];
const lt = (base, subtract, add) => {
  const result = Buffer.from(L.subtractThenAdd(base, subtract, add));
  lthash.push({
    base: hex(base), subtract: subtract.map(hex), add: add.map(hex), result: hex(result),
  });
  return result;
};
lt(zero, [], [vm(1)]);
const three = lt(zero, [], [vm(1), vm(2), vm(3)]);
lt(three, [vm(2)], []);
lt(zero, [vm(1)], []);
lt(detBytes('lthash base', 128), [vm(1), vm(4)], [vm(2), vm(5), vm(6)]);
lt(detBytes('lthash base 2', 128), [], []);
lt(zero, [], [detBytes('short value mac', 10)]);

// encodeSyncdPatch on a fixed sequence.
const keyIdA = detBytes('key id A', 6).toString('base64');
const keyIdB = detBytes('key id B', 6).toString('base64');
const keyStore = {
  [keyIdA]: { keyData: detBytes('app state key data 0', 32) },
  [keyIdB]: { keyData: detBytes('app state key data 1', 32) },
};
const getKey = async (id) => keyStore[id];
const t0 = 1700000000000;
const steps = [
  ['regular_high', keyIdA, ['mute', '1234@s.whatsapp.net'],
    { timestamp: t0, muteAction: { muted: true, muteEndTimestamp: t0 + 3600000 } }, 2, SET],
  ['regular_high', keyIdA, ['pin_v1', '5678@s.whatsapp.net'],
    { timestamp: t0 + 1, pinAction: { pinned: true } }, 5, SET],
  ['regular_high', keyIdA, ['mute', '1234@s.whatsapp.net'],
    { timestamp: t0 + 2, muteAction: { muted: false } }, 2, SET],
  ['regular_high', keyIdA, ['pin_v1', '5678@s.whatsapp.net'],
    { timestamp: t0 + 3, pinAction: { pinned: false } }, 5, REMOVE],
  ['regular_low', keyIdB, ['archive', '9@s.whatsapp.net'],
    { timestamp: t0 + 4, archiveChatAction: { archived: true } }, 3, SET],
  ['regular_low', keyIdB, ['star', '9@s.whatsapp.net', 'ABCDEF', '1', '0'],
    { timestamp: t0 + 5, starAction: { starred: true } }, 2, SET],
];
const states = {};
const patches = [];
for (const [type, keyId, index, syncAction, apiVersion, operation] of steps) {
  const before = states[type] ?? B.newLTHashState();
  const { patch, state } = await B.encodeSyncdPatch(
    { type, index, syncAction, apiVersion, operation }, keyId, before, getKey);
  states[type] = state;
  const m = patch.mutations[0];
  const blob = Buffer.from(m.record.value.blob);
  const valueMac = blob.subarray(-32);
  const keyData = keyStore[keyId].keyData;
  const [, valueEncryption] = expand(keyData);
  const plaintext = Buffer.from(B.aesDecrypt(blob.subarray(0, -32), Buffer.from(valueEncryption)));
  const indexJson = Buffer.from(JSON.stringify(index));
  const data = proto.SyncActionData.decode(plaintext);
  assertEq(data.index, indexJson, 'decrypted index');
  patches.push({
    collection: type, key_id: hex(Buffer.from(keyId, 'base64')), key_data: hex(keyData),
    operation, index_json: indexJson.toString('utf8'), plaintext: hex(plaintext),
    value_blob: hex(blob), value_mac: hex(valueMac), index_mac: hex(m.record.index.blob),
    lthash_before: hex(before.hash), lthash_after: hex(state.hash), version: state.version,
    snapshot_mac: hex(patch.snapshotMac), patch_mac: hex(patch.patchMac),
  });
  // The WASM helpers must agree with Baileys' JS before they are trusted below.
  const keys = expand(keyData);
  assertEq(W.generatePatchMac(patch.snapshotMac, [valueMac], BigInt(state.version), type, keys[4]),
    patch.patchMac, 'generatePatchMac');
  assertEq(W.generateSnapshotMac(state.hash, BigInt(state.version), type, keys[3]),
    patch.snapshotMac, 'generateSnapshotMac');
}

const patchMacs = [];
for (const [i, n, version] of [[0, 0, 1], [1, 3, 7], [2, 5, 2 ** 40 + 3]]) {
  const keyData = detBytes(`app state key data ${i}`, 32);
  const keys = expand(keyData);
  const snapshotMac = detBytes(`snapshot mac ${i}`, 32);
  const valueMacs = Array.from({ length: n }, (_, j) => vm(10 * i + j));
  const name = ['critical_block', 'regular', 'critical_unblock_low'][i];
  const mac = W.generatePatchMac(snapshotMac, valueMacs, BigInt(version), name, keys[4]);
  patchMacs.push({
    key_data: hex(keyData), snapshot_mac: hex(snapshotMac), value_macs: valueMacs.map(hex),
    version, name, patch_mac: hex(mac),
  });
}

process.stdout.write(JSON.stringify({
  produced_by: 'xtask/interop/appstate-vectors.mjs (Baileys 7.0.0-rc14 and its whatsapp-rust-bridge ' +
    '0.5.4 WASM; see the header of that script for which function computed what)',
  mutation_keys: mutationKeys, lthash, patches, patch_macs: patchMacs,
}, null, 1) + '\n');
