// Helpers shared by the media and app-state oracle scripts (ES module).
// Run from the oracle folder (target/oracles/baileys), which holds node_modules.
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';

export const hex = (b) => Buffer.from(b).toString('hex');
export const unhex = (s) => Buffer.from(s, 'hex');

/** `n` deterministic bytes: SHA-256(label ‖ u32be(counter)) blocks concatenated. */
export function detBytes(label, n) {
  const out = Buffer.alloc(n);
  for (let i = 0, off = 0; off < n; i++) {
    const ctr = Buffer.alloc(4);
    ctr.writeUInt32BE(i);
    const block = crypto.createHash('sha256').update(label).update(ctr).digest();
    block.copy(out, off);
    off += block.length;
  }
  return out;
}

/**
 * Makes node's crypto.randomBytes deterministic (for Baileys' random media keys
 * and IVs), so the vectors are reproducible. Affects this process only.
 */
export function deterministicRandomBytes(label) {
  let counter = 0;
  crypto.randomBytes = (n, cb) => {
    const b = detBytes(`${label}/${counter++}`, n);
    if (cb) { cb(null, b); return undefined; }
    return b;
  };
  syncBuiltinESMExports();
}

export const loadBaileys = () =>
  import(pathToFileURL(process.cwd() + '/node_modules/baileys/lib/index.js').href);

/** The WASM package Baileys delegates HKDF, LTHash and app-state key expansion to. */
export const loadBridge = () =>
  import(pathToFileURL(process.cwd() + '/node_modules/whatsapp-rust-bridge/dist/index.js').href);

/** Our MediaType names → the media type string Baileys' helpers take (null: Baileys has none). */
export const MEDIA_TYPES = [
  ['image', 'image'],
  ['sticker', 'sticker'],
  ['video', 'video'],
  ['gif', 'gif'],
  ['ptv', 'ptv'],
  ['audio', 'audio'],
  ['ptt', 'ptt'],
  ['document', 'document'],
  ['history', 'md-msg-hist'],
  ['app_state', 'md-app-state'],
  ['link_thumbnail', 'thumbnail-link'],
  ['sticker_pack', null],
];

export function assertEq(a, b, what) {
  if (Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0) {
    throw new Error(`oracle self-check failed: ${what}: ${hex(a)} != ${hex(b)}`);
  }
}
