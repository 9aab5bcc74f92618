// Peer throughput figures, measured in the same run as our own benches by
// `cargo xtask bench`: the Baileys 7.0.0-rc14 binary node codec and the
// libsignal 6.0.0 session cipher. Run from the oracle folder (target/oracles/baileys).
// Prints one JSON object per line: {"what": "baileys-binary", ...} and {"what": "libsignal-node", ...}.
import { pathToFileURL } from 'node:url';

const load = p => import(pathToFileURL(process.cwd() + '/node_modules/' + p).href);
const { encodeBinaryNode, decodeBinaryNode } = await load('baileys/lib/index.js');
const signal = (await load('libsignal/index.js')).default;
const now = () => Number(process.hrtime.bigint()) / 1e9;
const quick = process.argv.includes('--quick');

// The reference stanza: a text message fanned out to three devices plus the
// device identity (804 bytes with dictionary version 3).
const stanza = {
  tag: 'message',
  attrs: { to: '6281288888888@s.whatsapp.net', type: 'text', id: '3EB0ABCDEF1234567890' },
  content: [
    {
      tag: 'participants', attrs: {},
      content: [1, 2, 3].map(d => ({
        tag: 'to', attrs: { jid: `6281288888888:${d}@s.whatsapp.net` },
        content: [{ tag: 'enc', attrs: { v: '2', type: 'msg' }, content: Buffer.alloc(180, d) }],
      })),
    },
    { tag: 'device-identity', attrs: {}, content: Buffer.alloc(140, 7) },
  ],
};
const encoded = encodeBinaryNode(stanza);
const N = quick ? 20000 : 200000;
let t = now();
for (let i = 0; i < N; i++) encodeBinaryNode(stanza);
const encodeRate = N / (now() - t);
t = now();
for (let i = 0; i < N; i++) await decodeBinaryNode(encoded);
const decodeRate = N / (now() - t);
console.log(JSON.stringify({ what: 'baileys-binary', bytes: encoded.length, encode_per_s: Math.round(encodeRate), decode_per_s: Math.round(decodeRate) }));

// An in-memory libsignal store.
class Store {
  constructor(identity, registrationId) { this.identity = identity; this.registrationId = registrationId; this.sessions = {}; this.preKeys = {}; this.signedPreKeys = {}; }
  async getOurIdentity() { return this.identity; }
  async getOurRegistrationId() { return this.registrationId; }
  async isTrustedIdentity() { return true; }
  async loadSession(address) { return this.sessions[address]; }
  async storeSession(address, record) { this.sessions[address] = record; }
  async loadPreKey(id) { return this.preKeys[id]; }
  async removePreKey(id) { delete this.preKeys[id]; }
  async loadSignedPreKey(id) { return this.signedPreKeys[id]; }
}
const kh = signal.keyhelper;
const alice = new Store(kh.generateIdentityKeyPair(), 1);
const bob = new Store(kh.generateIdentityKeyPair(), 2);
const bobPreKey = kh.generatePreKey(5);
const bobSignedPreKey = kh.generateSignedPreKey(bob.identity, 7);
bob.preKeys[5] = bobPreKey.keyPair;
bob.signedPreKeys[7] = bobSignedPreKey.keyPair;
const bobAddress = new signal.ProtocolAddress('bob', 1);
const aliceAddress = new signal.ProtocolAddress('alice', 1);
await new signal.SessionBuilder(alice, bobAddress).initOutgoing({
  registrationId: 2, identityKey: bob.identity.pubKey,
  signedPreKey: { keyId: 7, publicKey: bobSignedPreKey.keyPair.pubKey, signature: bobSignedPreKey.signature },
  preKey: { keyId: 5, publicKey: bobPreKey.keyPair.pubKey },
});
const aliceCipher = new signal.SessionCipher(alice, bobAddress);
const bobCipher = new signal.SessionCipher(bob, aliceAddress);
const plaintext = Buffer.alloc(64, 1);
await bobCipher.decryptPreKeyWhisperMessage((await aliceCipher.encrypt(plaintext)).body);
await aliceCipher.decryptWhisperMessage((await bobCipher.encrypt(plaintext)).body);
// Established session, steady sending chain: many messages in a row, then decrypt them in order.
const M = quick ? 1000 : 5000;
const ciphertexts = [];
t = now();
for (let i = 0; i < M; i++) ciphertexts.push(await aliceCipher.encrypt(plaintext));
const encryptRate = M / (now() - t);
t = now();
for (const c of ciphertexts) await bobCipher.decryptWhisperMessage(c.body);
const decryptRate = M / (now() - t);
console.log(JSON.stringify({ what: 'libsignal-node', encrypt_per_s: Math.round(encryptRate), decrypt_per_s: Math.round(decryptRate) }));
