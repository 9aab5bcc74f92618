// Known-answer vectors for wa_proto::signal, computed by libsignal 6.0.0 and
// Baileys 7.0.0-rc14 (lib/Signal/Group) from fixed inputs. Prints one JSON
// document on stdout; it is committed as crates/wa-proto/tests/vectors/signal.json
// and `cargo xtask interop signal` checks that this script still prints it.
// Run from the oracle folder: cd target/oracles/baileys && node .../signal-vectors.mjs
//
// Everything is deterministic: private keys come from SHA-256 of labels, and
// libsignal's key generation is replaced by a queue of those keys (its
// signatures are deterministic when no random is passed).
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';

const load = p => import(pathToFileURL(process.cwd() + '/node_modules/' + p).href);
const libsignal = (await load('libsignal/index.js')).default;
const curve = (await load('libsignal/src/curve.js')).default;
const crypto = (await load('libsignal/src/crypto.js')).default;
const G = await load('baileys/lib/Signal/Group/index.js');
console.log = console.info = console.warn = console.error = () => {};

const hex = b => Buffer.from(b).toString('hex');
const sha = s => createHash('sha256').update(s).digest();
const priv = label => { const k = sha(label); k[0] &= 248; k[31] &= 127; k[31] |= 64; return k; };
const keyPair = label => { const privKey = priv(label); return { privKey, pubKey: curve.getPublicFromPrivateKey(privKey) }; };
const kpJson = k => ({ private: hex(k.privKey), public: hex(k.pubKey) });

// --- KDFs -------------------------------------------------------------------
const hkdf = [];
const ikm160 = Buffer.concat([Buffer.alloc(32, 0xff), sha('dh1'), sha('dh2'), sha('dh3'), sha('dh4')]);
for (const [ikm, salt, info] of [
  [ikm160, Buffer.alloc(32), 'WhisperText'],
  [sha('dh'), sha('root'), 'WhisperRatchet'],
  [sha('seed'), Buffer.alloc(32), 'WhisperMessageKeys'],
  [sha('group seed'), Buffer.alloc(32), 'WhisperGroup'],
]) {
  hkdf.push({ ikm: hex(ikm), salt: hex(salt), info, okm: hex(Buffer.concat(crypto.deriveSecrets(ikm, salt, Buffer.from(info), 3))) });
}
const chain = [];
let ck = sha('chain key');
for (let i = 0; i < 4; i++) {
  const seed = crypto.calculateMAC(ck, Buffer.from([1])), next = crypto.calculateMAC(ck, Buffer.from([2]));
  const k = crypto.deriveSecrets(seed, Buffer.alloc(32), Buffer.from('WhisperMessageKeys'));
  const g = new G.SenderMessageKey(i, seed);
  chain.push({ index: i, chain_key: hex(ck), seed: hex(seed), next: hex(next),
    cipher_key: hex(k[0]), mac_key: hex(k[1]), iv: hex(k[2].slice(0, 16)),
    group_iv: hex(g.getIv()), group_cipher_key: hex(g.getCipherKey()) });
  ck = next;
}

// --- A whole session with fixed keys ---------------------------------------
const queue = [];
curve.generateKeyPair = () => { const k = queue.shift(); if (!k) throw new Error('key queue empty'); return k; };
class Store {
  constructor(identity, regId) { this.identity = identity; this.regId = regId; this.sessions = {}; this.pre = {}; this.spk = {}; }
  async getOurIdentity() { return this.identity; } async getOurRegistrationId() { return this.regId; }
  async isTrustedIdentity() { return true; }
  async loadSession(a) { return this.sessions[a]; } async storeSession(a, r) { this.sessions[a] = r; }
  async loadPreKey(id) { return this.pre[id]; } async removePreKey(id) { delete this.pre[id]; }
  async loadSignedPreKey(id) { return this.spk[id]; }
}
const sessions = [];
for (const withOpk of [true, false]) {
  const tag = withOpk ? 'opk' : 'no-opk';
  const k = Object.fromEntries(['alice identity', 'bob identity', 'bob spk', 'bob opk', 'alice base', 'alice ratchet 1',
    'bob ratchet 1', 'alice ratchet 2'].map(l => [l, keyPair(`${tag} ${l}`)]));
  const alice = new Store(k['alice identity'], 1111), bob = new Store(k['bob identity'], 2222);
  const spkSig = curve.calculateSignature(k['bob identity'].privKey, k['bob spk'].pubKey);
  bob.spk[7] = k['bob spk']; bob.pre[5] = k['bob opk'];
  const bundle = { registrationId: 2222, identityKey: k['bob identity'].pubKey,
    signedPreKey: { keyId: 7, publicKey: k['bob spk'].pubKey, signature: spkSig } };
  if (withOpk) bundle.preKey = { keyId: 5, publicKey: k['bob opk'].pubKey };
  const bAddr = new libsignal.ProtocolAddress('bob', 1), aAddr = new libsignal.ProtocolAddress('alice', 1);
  queue.push(k['alice base'], k['alice ratchet 1']);
  await new libsignal.SessionBuilder(alice, bAddr).initOutgoing(bundle);
  const ac = new libsignal.SessionCipher(alice, bAddr), bc = new libsignal.SessionCipher(bob, aAddr);
  const pt = [Buffer.from('first message from alice'), Buffer.from('reply from bob, a bit longer than sixteen bytes'), Buffer.alloc(64, 7)];
  const m1 = await ac.encrypt(pt[0]);
  queue.push(k['bob ratchet 1']);
  const d1 = await bc.decryptPreKeyWhisperMessage(m1.body);
  const m2 = await bc.encrypt(pt[1]);
  queue.push(k['alice ratchet 2']);
  const d2 = await ac.decryptWhisperMessage(m2.body);
  const m3 = await ac.encrypt(pt[2]);
  if (!d1.equals(pt[0]) || !d2.equals(pt[1]) || queue.length) throw new Error('session vector did not run as planned');
  sessions.push({
    one_time_pre_key: withOpk,
    keys: Object.fromEntries(Object.entries(k).map(([l, v]) => [l.replaceAll(' ', '_'), kpJson(v)])),
    alice_registration_id: 1111, bob_registration_id: 2222, signed_pre_key_id: 7, pre_key_id: withOpk ? 5 : null,
    signed_pre_key_signature: hex(spkSig),
    messages: [
      { from: 'alice', type: m1.type === 3 ? 'pkmsg' : 'msg', plaintext: hex(pt[0]), body: hex(m1.body) },
      { from: 'bob', type: m2.type === 3 ? 'pkmsg' : 'msg', plaintext: hex(pt[1]), body: hex(m2.body) },
      { from: 'alice', type: m3.type === 3 ? 'pkmsg' : 'msg', plaintext: hex(pt[2]), body: hex(m3.body) },
    ],
  });
}

// --- Sender keys (Baileys' group cipher) ----------------------------------
const skStore = { keys: {}, async loadSenderKey(n) { return this.keys[n] || new G.SenderKeyRecord(); },
  async storeSenderKey(n, r) { this.keys[n] = r; } };
const signing = keyPair('sender signing key');
const name = new G.SenderKeyName('120363000000000000@g.us', new libsignal.ProtocolAddress('carol', 3));
const rec = new G.SenderKeyRecord();
rec.setSenderKeyState(123456789, 0, sha('sender chain key'), { public: signing.pubKey, private: signing.privKey });
skStore.keys[name] = rec;
const skdm = await new G.GroupSessionBuilder(skStore).create(name);
const gc = new G.GroupCipher(skStore, name);
const gpt = [Buffer.from('hello group'), Buffer.from('second group message (Baileys skips an iteration)')];
const g1 = await gc.encrypt(gpt[0]);
const g2 = await gc.encrypt(gpt[1]);

process.stdout.write(JSON.stringify({
  _comment: 'Produced by xtask/interop/signal-vectors.mjs with libsignal 6.0.0 and Baileys 7.0.0-rc14 (node); checked by crates/wa-proto/tests/signal_vectors.rs. Hex strings; public keys 33 bytes (0x05 prefix). Private keys are SHA-256 of labels, clamped.',
  hkdf, chain, sessions,
  sender_key: { key_id: 123456789, chain_key: hex(sha('sender chain key')), signing: kpJson(signing),
    skdm: hex(skdm.serialize()),
    messages: [{ iteration: 0, plaintext: hex(gpt[0]), body: hex(g1) }, { iteration: 2, plaintext: hex(gpt[1]), body: hex(g2) }] },
}, null, 1) + '\n');
