// Shared helpers of the proto-vectors*.mjs scripts: Baileys' generated
// protobuf code, deterministic bytes, the vector list, and common fixtures.
import { pathToFileURL } from 'node:url';

export const base = process.cwd() + '/node_modules/baileys';
export const { proto } = await import(pathToFileURL(`${base}/WAProto/index.js`).href);

// Deterministic pseudo-random bytes (LCG), different per seed.
export function b(n, seed) {
  const out = Buffer.alloc(n);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export function typeOf(path) {
  let t = proto;
  for (const part of path.split('.')) t = t[part];
  if (!t || typeof t.encode !== 'function') throw new Error(`unknown type ${path}`);
  return t;
}

// Encodes with Baileys' generated code (after fromObject, which is how Baileys
// itself builds messages from plain objects).
export function encode(type, obj) {
  const T = typeOf(type);
  return Buffer.from(T.encode(T.fromObject(obj)).finish());
}

export const vectors = [];
export function vec(name, type, obj) {
  const bytes = encode(type, obj);
  pushBytes(name, type, bytes);
  return bytes;
}
export function pushBytes(name, type, bytes) {
  if (vectors.some((v) => v.name === name)) throw new Error(`duplicate vector ${name}`);
  const decoded = typeOf(type).decode(bytes);
  vectors.push({ name, type, hex: bytes.toString('hex'), json: decoded.toJSON() });
}

export const ME = '15551234567@s.whatsapp.net';
export const PEER = '4915112345678@s.whatsapp.net';
export const PEER_LID = '123456789012345@lid';
export const GROUP = '120363025246125888@g.us';
export const key = (id, fromMe = false, participant) => ({
  remoteJid: participant ? GROUP : PEER,
  fromMe,
  id,
  ...(participant ? { participant } : {}),
});
export const deviceListMetadata = {
  senderKeyHash: b(10, 1),
  senderTimestamp: '1700000000',
  senderKeyIndexes: [0, 1, 7],
  senderAccountType: 'E2EE',
  receiverAccountType: 'E2EE',
  recipientKeyHash: b(10, 2),
  recipientTimestamp: '1700000100',
  recipientKeyIndexes: [0, 3],
};
export const mci = { deviceListMetadata, deviceListMetadataVersion: 2, messageSecret: b(32, 3) };
export const media = (seed) => ({
  url: `https://mmg.whatsapp.net/v/t62.7118-24/${seed}_n.enc?ccb=11-4`,
  fileSha256: b(32, seed + 1),
  fileLength: String(1000 + seed),
  mediaKey: b(32, seed + 2),
  fileEncSha256: b(32, seed + 3),
  directPath: `/v/t62.7118-24/${seed}_n.enc?ccb=11-4`,
  mediaKeyTimestamp: '1700000200',
});
