// Shared helpers of the pair*.mjs interop scripts (suite `pair`).
//
// Determinism: before Baileys is loaded, node's crypto.randomBytes is replaced
// by a seeded generator (SHA-256 of seed ‖ counter) and generateKeyPairSync
// is disabled, so libsignal falls back to curve25519-js with randomBytes.
// Every key, code, salt and nonce Baileys draws is then a function of the
// seed given in the input, and runs are reproducible.
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';

let seedBytes = Buffer.from('unseeded');
let counter = 0;
let pool = Buffer.alloc(0);

/** Deterministic bytes from the current seed. */
export function seededBytes(n) {
  while (pool.length < n) {
    const c = Buffer.alloc(8);
    c.writeBigUInt64BE(BigInt(counter++));
    pool = Buffer.concat([pool, crypto.createHash('sha256').update(seedBytes).update(c).digest()]);
  }
  const out = pool.subarray(0, n);
  pool = pool.subarray(n);
  return Buffer.from(out);
}

/** Restarts the generator from `seed` (any string). */
export function reseed(seed) {
  seedBytes = Buffer.from(String(seed));
  counter = 0;
  pool = Buffer.alloc(0);
}

crypto.randomBytes = (n, cb) => {
  const out = seededBytes(n);
  if (cb) {
    cb(null, out);
    return undefined;
  }
  return out;
};
crypto.generateKeyPairSync = () => {
  throw new Error('disabled: use the seeded curve25519-js fallback');
};
syncBuiltinESMExports();

const base = process.cwd() + '/node_modules/baileys';
const load = (p) => import(pathToFileURL(`${base}/${p}`).href);

export const B = await load('lib/index.js');
export const { proto } = B;
export const validate = await load('lib/Utils/validate-connection.js');
export const generics = await load('lib/Utils/generics.js');
export const bcrypto = await load('lib/Utils/crypto.js');
export const companionReg = await load('lib/Utils/companion-reg-client-utils.js');
export const defaults = await load('lib/Defaults/index.js');

const libsignalCurve = (await import(pathToFileURL(`${process.cwd()}/node_modules/libsignal/src/curve.js`).href)).default;

/**
 * A working XEdDSA verification (libsignal's verifySignature returns a
 * boolean). Baileys rc14's `Curve.verify` only catches exceptions and so
 * returns true for every well-formed signature; see `strictCurve`.
 */
export function xverify(pub, msg, sig) {
  try {
    return libsignalCurve.verifySignature(bcrypto.generateSignalPubKey(pub), msg, sig) === true;
  } catch {
    return false;
  }
}

/** Runs `fn` with Baileys' `Curve.verify` replaced by {@link xverify}. */
export function strictCurve(fn) {
  const shipped = bcrypto.Curve.verify;
  bcrypto.Curve.verify = xverify;
  try {
    return fn();
  } finally {
    bcrypto.Curve.verify = shipped;
  }
}

// Self-test, so that a verifier that accepts everything cannot pass silently.
{
  const k = bcrypto.Curve.generateKeyPair();
  const sig = bcrypto.Curve.sign(k.private, Buffer.from('self-test'));
  if (!xverify(k.public, Buffer.from('self-test'), sig) || xverify(k.public, Buffer.from('self-tesT'), sig)) {
    throw new Error('xverify self-test failed');
  }
}

export const hex = (b) => Buffer.from(b).toString('hex');
export const unhex = (s) => Buffer.from(s, 'hex');

/** Reads the JSON input file named by the first argument after the command. */
export function input() {
  const path = process.argv[3];
  if (!path) throw new Error('usage: node pair.mjs <command> <input.json>');
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Baileys auth creds in a JSON-safe form (all keys as hex). */
export function credsToJson(c) {
  return {
    noisePub: hex(c.noiseKey.public),
    noisePriv: hex(c.noiseKey.private),
    identityPub: hex(c.signedIdentityKey.public),
    identityPriv: hex(c.signedIdentityKey.private),
    pairingEphPub: hex(c.pairingEphemeralKeyPair.public),
    pairingEphPriv: hex(c.pairingEphemeralKeyPair.private),
    signedPreKeyId: c.signedPreKey.keyId,
    signedPreKeyPub: hex(c.signedPreKey.keyPair.public),
    signedPreKeySig: hex(c.signedPreKey.signature),
    registrationId: c.registrationId,
    advSecretKey: c.advSecretKey,
  };
}

/** The inverse of credsToJson: a creds object Baileys' functions accept. */
export function credsFromJson(j) {
  const pair = (pub, priv) => ({ public: unhex(pub), private: unhex(priv) });
  return {
    noiseKey: pair(j.noisePub, j.noisePriv),
    signedIdentityKey: pair(j.identityPub, j.identityPriv),
    pairingEphemeralKeyPair: pair(j.pairingEphPub, j.pairingEphPriv),
    signedPreKey: {
      keyId: j.signedPreKeyId,
      keyPair: { public: unhex(j.signedPreKeyPub) },
      signature: unhex(j.signedPreKeySig),
    },
    registrationId: j.registrationId,
    advSecretKey: j.advSecretKey,
    signalIdentities: [],
  };
}

/** Fresh Baileys creds from `seed` (Baileys' own initAuthCreds). */
export function seededCreds(seed) {
  reseed(seed);
  return B.initAuthCreds();
}

/** Runs `fn` and reports {ok, error}: for inputs Baileys must reject. */
export function outcome(fn) {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    return { ok: false, error: String(e?.message ?? e) };
  }
}

/** Prints the result object as the script's only stdout line. */
export function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}
