// Signal interop peer: libsignal 6.0.0 (sessions, XEdDSA) and Baileys'
// lib/Signal/Group (sender keys), driven by `cargo xtask interop signal`.
//
// Protocol: one JSON request per line on stdin, one JSON reply per line on
// stdout ({"ok": true, ...} or {"error": "..."}). Binary values are base64.
// Stores behave like Baileys' real ones: records are kept serialized and
// deserialized on every load, so a failed decrypt never leaves a half-mutated
// record behind. Run from the oracle folder (cwd has node_modules/).
import { pathToFileURL } from 'node:url';
import readline from 'node:readline';

const load = p => import(pathToFileURL(process.cwd() + '/node_modules/' + p).href);
const libsignal = (await load('libsignal/index.js')).default;
const curve = (await load('libsignal/src/curve.js')).default;
const G = await load('baileys/lib/Signal/Group/index.js');

// libsignal logs through console.*; stdout is reserved for replies.
const debug = !!process.env.SIGNAL_INTEROP_DEBUG;
const toErr = (...a) => { if (debug) process.stderr.write(a.map(String).join(' ') + '\n'); };
console.log = console.info = console.warn = console.error = console.debug = toErr;

const b64 = b => Buffer.from(b).toString('base64');
const unb = s => Buffer.from(s, 'base64');
const bufReviver = (_k, v) => (v && v.type === 'Buffer' && Array.isArray(v.data) ? Buffer.from(v.data) : v);

class Store {
  constructor() {
    this.identity = libsignal.keyhelper.generateIdentityKeyPair();
    this.regId = libsignal.keyhelper.generateRegistrationId();
    this.sessions = {}; this.preKeys = {}; this.signedPreKeys = {}; this.senderKeys = {};
  }
  async getOurIdentity() { return this.identity; }
  async getOurRegistrationId() { return this.regId; }
  async isTrustedIdentity() { return true; }
  async loadSession(a) { const s = this.sessions[a]; return s ? libsignal.SessionRecord.deserialize(JSON.parse(s)) : undefined; }
  async storeSession(a, r) { this.sessions[a] = JSON.stringify(r.serialize()); }
  async loadPreKey(id) { return this.preKeys[id]; }
  async removePreKey(id) { delete this.preKeys[id]; }
  async loadSignedPreKey(id) { return this.signedPreKeys[id]; }
  async loadSenderKey(name) {
    const s = this.senderKeys[name.toString()];
    return s ? new G.SenderKeyRecord(JSON.parse(s, bufReviver)) : new G.SenderKeyRecord();
  }
  async storeSenderKey(name, rec) { this.senderKeys[name.toString()] = JSON.stringify(rec.serialize()); }
}

const parties = new Map();
const party = name => {
  const p = parties.get(name);
  if (!p) throw new Error(`unknown party ${name}`);
  return p;
};
const addr = (name, device) => new libsignal.ProtocolAddress(name, device);
const skName = (group, name, device) => new G.SenderKeyName(group, addr(name, device));

const ops = {
  new_party({ name }) {
    const s = new Store();
    parties.set(name, s);
    return { identity: b64(s.identity.pubKey), registration_id: s.regId };
  },
  make_bundle({ name, spk_id, pk_id }) {
    const s = party(name);
    const spk = libsignal.keyhelper.generateSignedPreKey(s.identity, spk_id);
    s.signedPreKeys[spk_id] = spk.keyPair;
    const out = { registration_id: s.regId, identity: b64(s.identity.pubKey), spk_id,
      spk: b64(spk.keyPair.pubKey), spk_sig: b64(spk.signature), pk_id: null, pk: null };
    if (pk_id != null) {
      const pk = libsignal.keyhelper.generatePreKey(pk_id);
      s.preKeys[pk_id] = pk.keyPair;
      out.pk_id = pk_id; out.pk = b64(pk.keyPair.pubKey);
    }
    return out;
  },
  has_pre_key({ name, id }) { return { present: !!party(name).preKeys[id] }; },
  async init_outgoing({ name, peer, device, bundle }) {
    const device_ = { registrationId: bundle.registration_id, identityKey: unb(bundle.identity),
      signedPreKey: { keyId: bundle.spk_id, publicKey: unb(bundle.spk), signature: unb(bundle.spk_sig) } };
    if (bundle.pk_id != null) device_.preKey = { keyId: bundle.pk_id, publicKey: unb(bundle.pk) };
    await new libsignal.SessionBuilder(party(name), addr(peer, device)).initOutgoing(device_);
    return {};
  },
  async has_session({ name, peer, device }) {
    return { open: await new libsignal.SessionCipher(party(name), addr(peer, device)).hasOpenSession() };
  },
  async encrypt({ name, peer, device, pt }) {
    const r = await new libsignal.SessionCipher(party(name), addr(peer, device)).encrypt(unb(pt));
    return { type: r.type === 3 ? 'pkmsg' : 'msg', body: b64(r.body) };
  },
  async decrypt({ name, peer, device, type, body }) {
    const c = new libsignal.SessionCipher(party(name), addr(peer, device));
    const pt = type === 'pkmsg' ? await c.decryptPreKeyWhisperMessage(unb(body)) : await c.decryptWhisperMessage(unb(body));
    return { pt: b64(pt) };
  },
  xeddsa_keypair() { const k = curve.generateKeyPair(); return { pub: b64(k.pubKey), priv: b64(k.privKey) }; },
  xeddsa_sign({ priv, msg }) { return { sig: b64(curve.calculateSignature(unb(priv), unb(msg))) }; },
  xeddsa_verify({ pub, msg, sig }) {
    let valid;
    try { valid = !!curve.verifySignature(unb(pub), unb(msg), unb(sig)); } catch { valid = false; }
    return { valid };
  },
  async group_create({ name, device, group }) {
    const skdm = await new G.GroupSessionBuilder(party(name)).create(skName(group, name, device));
    return { skdm: b64(skdm.serialize()) };
  },
  async group_process({ name, group, sender, device, skdm }) {
    const msg = new G.SenderKeyDistributionMessage(null, null, null, null, unb(skdm));
    await new G.GroupSessionBuilder(party(name)).process(skName(group, sender, device), msg);
    return {};
  },
  async group_encrypt({ name, device, group, pt }) {
    const body = await new G.GroupCipher(party(name), skName(group, name, device)).encrypt(unb(pt));
    return { body: b64(body) };
  },
  async group_decrypt({ name, group, sender, device, body }) {
    const pt = await new G.GroupCipher(party(name), skName(group, sender, device)).decrypt(unb(body));
    return { pt: b64(pt) };
  },
};

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  let reply;
  try {
    const req = JSON.parse(line);
    const op = ops[req.op];
    if (!op) throw new Error(`unknown op ${req.op}`);
    reply = { ok: true, ...(await op(req)) };
  } catch (e) {
    reply = { error: String(e && (e.message || e.name) || e) || 'error' };
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
}
