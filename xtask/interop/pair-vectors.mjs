// Committed test vectors of suite `pair`: Baileys' side of QR pairing,
// pair-success, pairing by code and the ClientPayload, produced with seeded
// randomness (pair-lib.mjs) so the output is fixed. `cargo xtask interop pair`
// regenerates it and compares it with
// crates/wa-proto/tests/vectors/pair/baileys.json, which the Rust tests
// (tests/pair_vectors.rs) replay without node.
//
// Usage (from the oracle folder): node pair-vectors.mjs > baileys.json
import { commands as pair } from './pair.mjs';
import { commands as code } from './pair-code.mjs';
import { seededCreds, credsToJson } from './pair-lib.mjs';

const browser = ['Mac OS', 'Chrome', '14.4.1'];
const ref = '2@vec/Ref+Example==';

// QR: Baileys' creds and the string it shows.
const qr = pair['companion-creds']({ seed: 'vectors-qr', ref, browser });

// pair-success: a companion (Baileys creds), containers signed like the phone
// with libsignal, and Baileys' configureSuccessfulPairing on the valid ones.
const companion = credsToJson(seededCreds('vectors-companion'));
const signInput = {
  seed: 'vectors-phone', companionIdentityPub: companion.identityPub, advSecret: companion.advSecretKey,
  keyIndex: 7, rawId: 4242424, timestamp: 1700000000,
};
const signed = pair['phone-sign'](signInput);
const configured = pair['configure-pairing']({
  creds: companion,
  cases: Object.entries(signed.cases).map(([name, container]) => ({
    name, container, id: `pair-${name}`, jid: '15551234567:4@s.whatsapp.net', lid: '123456789012345:4@lid',
    platform: 'android',
  })),
});

// Pairing by code: Baileys' companion against a phone made of Baileys'
// crypto helpers, every random draw recorded.
const hello = await code['companion-hello']({ seed: 'vectors-code' });
const phone = await code['phone-hello']({ seed: 'vectors-code-phone', code: hello.code, wrappedCompanion: hello.wrapped });
const finish = await code['companion-finish']({
  seed: 'vectors-code-finish', creds: hello.creds, code: hello.code,
  primaryIdentityPub: phone.phoneIdentityPub, wrappedPrimary: phone.wrappedPrimary,
});
const phoneDone = await code['phone-finish']({ ...phone, bundle: finish.bundle, companionIdentityPub: finish.companionIdentityPub });
if (!phoneDone.ok || phoneDone.advSecret !== finish.advSecretKey) throw new Error('code vectors inconsistent');

// ClientPayload for a few configurations.
const configs = [
  { name: 'default', browser, version: [2, 3000, 1043857760], countryCode: 'US', syncFullHistory: true },
  { name: 'windows_desktop', browser: ['Windows', 'Desktop', '10.0.22631'], version: [2, 3000, 1043857760], countryCode: 'BR', syncFullHistory: true, pushName: 'Gateway' },
  { name: 'android', browser: ['Samsung', 'Android', ''], version: [2, 3000, 1043857760], countryCode: 'ID', syncFullHistory: false },
];
const payloads = pair.payloads({ seed: 'vectors-payloads', configs, loginJid: '15551234567:7@s.whatsapp.net' });

const lists = [
  ['15551234567@s.whatsapp.net', '15551234567:2@s.whatsapp.net', '4915112345678@s.whatsapp.net'],
  ['15551234567.0:0@s.whatsapp.net', '15551234567.0:2@s.whatsapp.net'],
];
const phash = pair.phash({ lists });

const out = {
  qr: { ref, browser, ...qr },
  pairSuccess: { companion, ...signInput, phonePub: signed.phonePub, details: signed.details, cases: signed.cases, baileys: configured.results },
  code: { hello, phone, finish },
  payloads: { configs, loginJid: '15551234567:7@s.whatsapp.net', ...payloads },
  phash: lists.map((list, i) => ({ list, baileys: phash.hashes[i] })),
};
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
