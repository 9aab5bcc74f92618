// Produces the known-answer vectors crates/wa-proto/tests/vectors/{hkdf,media}.json
// from Baileys 7.0.0-rc14 (and the whatsapp-rust-bridge WASM it delegates HKDF to).
//
//   node xtask/interop/media-vectors.mjs hkdf  > crates/wa-proto/tests/vectors/hkdf.json
//   node xtask/interop/media-vectors.mjs media > crates/wa-proto/tests/vectors/media.json
//
// (run from target/oracles/baileys; `cargo xtask interop media` regenerates both and
// fails on any difference from the committed files). Inputs are fixed; Baileys'
// random media keys come from a deterministic crypto.randomBytes.
import { readFile, unlink } from 'node:fs/promises';
import {
  MEDIA_TYPES, assertEq, detBytes, deterministicRandomBytes, hex, loadBaileys,
} from './media-common.mjs';

const what = process.argv[2];
deterministicRandomBytes(`wa-gateway media vectors/${what}`);
const B = await loadBaileys();

async function hkdfVectors() {
  const infos = [
    'WhatsApp Image Keys', 'WhatsApp Video Keys', 'WhatsApp Audio Keys',
    'WhatsApp Document Keys', 'WhatsApp History Keys', 'WhatsApp App State Keys',
    'WhatsApp Link Thumbnail Keys', 'WhatsApp Sticker Pack Keys',
    'WhatsApp Mutation Keys', 'WhatsApp Patch Integrity', 'WhisperText', 'WhisperRatchet',
    'WhisperMessageKeys', '',
  ];
  const cases = [];
  infos.forEach((info, i) => {
    for (const [len, ikmLen, salt] of [
      [32, 32, null], [112, 32, null], [160, 32, null], [128, 32, null],
      [80, 17, 32], [255, 1, 13], [1, 64, 0], [8160, 100, 80],
    ]) {
      if (len === 8160 && i !== 0) continue;
      if (len === 255 && i % 5 !== 0) continue;
      const ikm = detBytes(`hkdf ikm ${i} ${len}`, ikmLen);
      const opts = { info };
      let saltHex = null;
      if (salt !== null) {
        opts.salt = detBytes(`hkdf salt ${i} ${len}`, salt);
        saltHex = hex(opts.salt);
      }
      const okm = B.hkdf(ikm, len, opts);
      cases.push({ ikm: hex(ikm), salt: saltHex, info, length: len, okm: hex(okm) });
    }
  });
  return {
    produced_by: 'xtask/interop/media-vectors.mjs hkdf: Baileys 7.0.0-rc14 `hkdf` (Utils/crypto.js, ' +
      're-exported from whatsapp-rust-bridge) on fixed inputs; salt null = no salt',
    cases,
  };
}

async function mediaVectors() {
  const keys = [];
  for (const [ours, baileys] of MEDIA_TYPES) {
    const mediaKey = detBytes(`media key ${ours}`, 32);
    // Baileys has no mapping for sticker packs; the info string is whatsmeow's.
    const info = baileys ? B.hkdfInfoKey(baileys) : 'WhatsApp Sticker Pack Keys';
    const expanded = B.hkdf(mediaKey, 112, { info });
    if (baileys) {
      const k = await B.getMediaKeys(mediaKey, baileys);
      assertEq(k.iv, expanded.subarray(0, 16), `${ours} iv`);
      assertEq(k.cipherKey, expanded.subarray(16, 48), `${ours} cipherKey`);
      assertEq(k.macKey, expanded.subarray(48, 80), `${ours} macKey`);
    }
    keys.push({
      type: ours, baileys_type: baileys, hkdf_info: info, media_key: hex(mediaKey),
      iv: hex(expanded.subarray(0, 16)), cipher_key: hex(expanded.subarray(16, 48)),
      mac_key: hex(expanded.subarray(48, 80)), ref_key: hex(expanded.subarray(80, 112)),
    });
  }
  const files = [];
  for (const [ours, baileys] of MEDIA_TYPES) {
    if (!baileys) continue;
    for (const size of [0, 1, 15, 16, 17, 100]) {
      const plain = detBytes(`media plaintext ${ours} ${size}`, size);
      const r = await B.encryptedStream(plain, baileys);
      const enc = await readFile(r.encFilePath);
      await unlink(r.encFilePath);
      files.push({
        type: ours, plaintext: hex(plain), media_key: hex(r.mediaKey), encrypted: hex(enc),
        mac: hex(r.mac), file_sha256: hex(r.fileSha256), file_enc_sha256: hex(r.fileEncSha256),
        file_length: r.fileLength,
      });
    }
  }
  return {
    produced_by: 'xtask/interop/media-vectors.mjs media: Baileys 7.0.0-rc14 `hkdf`+`hkdfInfoKey` ' +
      '(checked against `getMediaKeys`) for keys; `encryptedStream` for files, with a ' +
      'deterministic crypto.randomBytes supplying the media keys. sticker_pack: Baileys has no ' +
      'HKDF mapping for it, so only its key expansion (info from whatsmeow) is here.',
    keys,
    files,
  };
}

const out = what === 'hkdf' ? await hkdfVectors() : what === 'media' ? await mediaVectors() : null;
if (!out) throw new Error('usage: media-vectors.mjs hkdf|media');
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
