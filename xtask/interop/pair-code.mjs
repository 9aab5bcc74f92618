// Interop driver of suite `pair`, pairing by code: Baileys' companion side
// and a phone side written with Baileys' crypto helpers (lib/Utils/crypto.js:
// derivePairingCodeKey, aesEncryptCTR/aesDecryptCTR, aesEncryptGCM/
// aesDecryptGCM, hkdf, Curve). Baileys' companion steps cannot run without a
// socket (requestPairingCode sends a node; the notification handler is inside
// the socket), so they are reproduced here call for call, in Baileys' order of
// random draws, with Baileys' own exported functions.
//
// Usage (from the oracle folder): node pair-code.mjs <command> <input.json>
//   companion-hello   code (bytesToCrockford or custom) and the wrapped ephemeral
//   companion-finish  the link_code_companion_reg notification handler
//   phone-hello       unwrap the companion ephemeral, wrap a phone ephemeral
//   phone-finish      decrypt the key bundle and derive the ADV secret
import { bcrypto, credsFromJson, credsToJson, emit, generics, hex, input, reseed, seededBytes, seededCreds, unhex } from './pair-lib.mjs';
import { pathToFileURL } from 'node:url';

const { Curve, aesDecryptCTR, aesDecryptGCM, aesEncryptCTR, aesEncryptGCM, derivePairingCodeKey, hkdf } = bcrypto;
const BUNDLE_INFO = 'link_code_pairing_key_bundle_encryption_key';

/** salt32 ‖ iv16 ‖ AES-256-CTR(PBKDF2(code, salt), iv, pub) (generatePairingKey). */
async function wrap(code, pub) {
  const salt = seededBytes(32);
  const iv = seededBytes(16);
  const key = await derivePairingCodeKey(code, salt);
  return Buffer.concat([salt, iv, aesEncryptCTR(pub, key, iv)]);
}

/** The inverse (decipherLinkPublicKey). */
async function unwrap(code, wrapped) {
  const key = await derivePairingCodeKey(code, wrapped.slice(0, 32));
  return aesDecryptCTR(wrapped.slice(48, 80), key, wrapped.slice(32, 48));
}

export const commands = {
  async 'companion-hello'(inp) {
    const creds = seededCreds(inp.seed);
    if (inp.customCode && inp.customCode.length !== 8) throw new Error('Custom pairing code must be exactly 8 chars');
    const code = inp.customCode ?? generics.bytesToCrockford(seededBytes(5));
    const wrapped = await wrap(code, creds.pairingEphemeralKeyPair.public);
    return { creds: credsToJson(creds), code, wrapped: hex(wrapped) };
  },

  async 'companion-finish'(inp) {
    reseed(inp.seed);
    const creds = credsFromJson(inp.creds);
    const primaryIdentity = unhex(inp.primaryIdentityPub);
    const primaryEphemeral = await unwrap(inp.code, unhex(inp.wrappedPrimary));
    const shared = Curve.sharedKey(creds.pairingEphemeralKeyPair.private, primaryEphemeral);
    const random = seededBytes(32);
    const salt = seededBytes(32);
    const key = hkdf(shared, 32, { salt, info: BUNDLE_INFO });
    const plain = Buffer.concat([creds.signedIdentityKey.public, primaryIdentity, random]);
    const nonce = seededBytes(12);
    const sealed = aesEncryptGCM(plain, key, nonce, Buffer.alloc(0));
    const identityShared = Curve.sharedKey(creds.signedIdentityKey.private, primaryIdentity);
    const adv = hkdf(Buffer.concat([shared, identityShared, random]), 32, { info: 'adv_secret' });
    return {
      bundle: hex(Buffer.concat([salt, nonce, sealed])),
      companionIdentityPub: hex(creds.signedIdentityKey.public),
      advSecretKey: Buffer.from(adv).toString('base64'),
      random: hex(random),
    };
  },

  async 'phone-hello'(inp) {
    reseed(inp.seed);
    const identity = Curve.generateKeyPair();
    const ephemeral = Curve.generateKeyPair();
    const companionEphemeral = await unwrap(inp.code, unhex(inp.wrappedCompanion));
    const wrapped = await wrap(inp.code, ephemeral.public);
    return {
      phoneIdentityPub: hex(identity.public), phoneIdentityPriv: hex(identity.private),
      phoneEphPub: hex(ephemeral.public), phoneEphPriv: hex(ephemeral.private),
      companionEphPub: hex(companionEphemeral), wrappedPrimary: hex(wrapped),
    };
  },

  async 'phone-finish'(inp) {
    const bundle = unhex(inp.bundle);
    const companionIdentity = unhex(inp.companionIdentityPub);
    const shared = Curve.sharedKey(unhex(inp.phoneEphPriv), unhex(inp.companionEphPub));
    const key = hkdf(shared, 32, { salt: bundle.slice(0, 32), info: BUNDLE_INFO });
    let plain;
    try {
      plain = aesDecryptGCM(bundle.slice(44), key, bundle.slice(32, 44), Buffer.alloc(0));
    } catch (e) {
      return { ok: false, error: String(e?.message ?? e) };
    }
    if (!plain.slice(0, 32).equals(companionIdentity)) return { ok: false, error: 'bundle names another companion' };
    if (hex(plain.slice(32, 64)) !== inp.phoneIdentityPub) return { ok: false, error: 'bundle names another phone' };
    const identityShared = Curve.sharedKey(unhex(inp.phoneIdentityPriv), companionIdentity);
    const adv = hkdf(Buffer.concat([shared, identityShared, plain.slice(64, 96)]), 32, { info: 'adv_secret' });
    return { ok: true, advSecret: Buffer.from(adv).toString('base64') };
  },
};

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cmd = process.argv[2];
  if (!commands[cmd]) throw new Error(`unknown command ${cmd}`);
  emit(await commands[cmd](input()));
}
