// Interop driver of suite `pair`: runs Baileys' side of QR pairing, the ADV
// device identity and the ClientPayload for `cargo xtask interop pair`
// (xtask/src/interop/pair.rs), which runs our side and checks the results.
//
// Usage (from the oracle folder): node pair.mjs <command> <input.json>
// Prints one JSON object. Randomness is seeded (pair-lib.mjs). Commands:
//   companion-creds    Baileys creds (initAuthCreds) and its QR string
//   configure-pairing  Baileys' configureSuccessfulPairing on given containers
//   phone-sign         device identities signed like the phone, with libsignal
//   verify-replies     checks pair-device-sign replies with libsignal
//   payloads           generateRegistrationNode / generateLoginNode encodings
//   decode-payloads    field-by-field comparison of two sets of payloads
//   phash              generateParticipantHashV2
// Pairing-code commands live in pair-code.mjs.
import {
  companionReg, credsToJson, defaults, emit, generics, hex, input, outcome, proto, reseed, seededCreds,
  strictCurve, unhex, validate, xverify, bcrypto,
} from './pair-lib.mjs';
import { pathToFileURL } from 'node:url';

const { Curve, hmacSign } = bcrypto;
const ACCOUNT = defaults.WA_ADV_ACCOUNT_SIG_PREFIX;
const DEVICE = defaults.WA_ADV_DEVICE_SIG_PREFIX;
const HOSTED_ACCOUNT = defaults.WA_ADV_HOSTED_ACCOUNT_SIG_PREFIX;

const flip = (b) => {
  const out = Buffer.from(b);
  out[0] ^= 1;
  return out;
};

export const commands = {
  'companion-creds'(inp) {
    const creds = seededCreds(inp.seed);
    const b64 = (b) => Buffer.from(b).toString('base64');
    const qr = companionReg.buildPairingQRData(
      inp.ref,
      b64(creds.noiseKey.public),
      b64(creds.signedIdentityKey.public),
      creds.advSecretKey,
      inp.browser,
    );
    return { creds: credsToJson(creds), qr };
  },

  // Each case: {name, container (hex), id, jid, lid, platform}. The creds
  // need only identityPub/identityPriv/advSecretKey. Every case runs twice:
  // as shipped (result fields) and with a working Curve.verify (strictOk,
  // strictError), since the shipped Curve.verify accepts any signature.
  'configure-pairing'(inp) {
    const creds = {
      advSecretKey: inp.creds.advSecretKey,
      signedIdentityKey: { public: unhex(inp.creds.identityPub), private: unhex(inp.creds.identityPriv) },
      signalIdentities: [],
    };
    const results = inp.cases.map((c) => {
      const stanza = {
        tag: 'iq',
        attrs: { from: 's.whatsapp.net', type: 'set', id: c.id, xmlns: 'md', t: '1700000000' },
        content: [{
          tag: 'pair-success',
          attrs: {},
          content: [
            { tag: 'device-identity', attrs: {}, content: unhex(c.container) },
            { tag: 'platform', attrs: { name: c.platform } },
            { tag: 'device', attrs: { jid: c.jid, lid: c.lid } },
          ],
        }],
      };
      const strict = strictCurve(() => outcome(() => validate.configureSuccessfulPairing(stanza, creds)));
      const r = outcome(() => validate.configureSuccessfulPairing(stanza, creds));
      const verdicts = { strictOk: strict.ok, strictError: strict.error };
      if (!r.ok) return { name: c.name, ok: false, error: r.error, ...verdicts };
      const { reply, creds: upd } = r.value;
      const sign = reply.content[0];
      const di = sign.content[0];
      const acc = upd.account;
      return {
        name: c.name,
        ok: true,
        ...verdicts,
        reply: {
          tag: reply.tag, to: reply.attrs.to, type: reply.attrs.type, id: reply.attrs.id,
          signTag: sign.tag, identityTag: di.tag, keyIndex: di.attrs['key-index'], content: hex(di.content),
        },
        account: {
          details: hex(acc.details), accountSignatureKey: hex(acc.accountSignatureKey),
          accountSignature: hex(acc.accountSignature), deviceSignature: hex(acc.deviceSignature),
          accountBytes: hex(validate.encodeSignedDeviceIdentity(acc, true)),
        },
        me: upd.me,
        platform: upd.platform,
      };
    });
    return { results };
  },

  // The phone's side done with Baileys/libsignal primitives: proto encode,
  // Curve.sign, hmacSign. Variants exercise every check of the companion.
  'phone-sign'(inp) {
    reseed(inp.seed);
    const phone = Curve.generateKeyPair();
    const other = Curve.generateKeyPair();
    const companion = unhex(inp.companionIdentityPub);
    const adv = Buffer.from(inp.advSecret, 'base64');
    const detailsOf = (extra) => Buffer.from(proto.ADVDeviceIdentity.encode({
      rawId: inp.rawId, timestamp: inp.timestamp, keyIndex: inp.keyIndex, ...extra,
    }).finish());
    const build = ({ details, key = phone, signedFor = companion, prefix = ACCOUNT, hosted = false,
      hmacKey = adv, tamper }) => {
      const accountSignature = Curve.sign(key.private, Buffer.concat([prefix, details, signedFor]));
      let signedDetails = details;
      if (tamper) signedDetails = tamper(details);
      const signed = Buffer.from(proto.ADVSignedDeviceIdentity.encode({
        details: signedDetails, accountSignatureKey: phone.public, accountSignature,
      }).finish());
      const hmacInput = hosted ? Buffer.concat([HOSTED_ACCOUNT, signed]) : signed;
      const container = proto.ADVSignedDeviceIdentityHMAC.encode({
        details: signed, hmac: hmacSign(hmacInput, hmacKey), ...(hosted ? { accountType: 1 } : {}),
      }).finish();
      return hex(container);
    };
    const plain = detailsOf({});
    const cases = {
      good: build({ details: plain }),
      typed_e2ee: build({ details: detailsOf({ accountType: 0, deviceType: 0 }) }),
      hosted: build({ details: detailsOf({ accountType: 1, deviceType: 1 }), prefix: HOSTED_ACCOUNT, hosted: true }),
      bad_hmac: build({ details: plain, hmacKey: Buffer.alloc(32, 7) }),
      other_companion: build({ details: plain, signedFor: other.public }),
      wrong_signer: build({ details: plain, key: other }),
      tampered_details: build({ details: plain, tamper: () => detailsOf({ keyIndex: inp.keyIndex + 1 }) }),
      no_key_index: build({ details: Buffer.from(proto.ADVDeviceIdentity.encode({
        rawId: inp.rawId, timestamp: inp.timestamp,
      }).finish()) }),
      truncated: build({ details: plain }).slice(0, 40),
    };
    return { phonePub: hex(phone.public), phonePriv: hex(phone.private), details: hex(plain), cases };
  },

  // replies: [{name, reply (hex), details (hex)}]; checks both signatures
  // and that accountSignatureKey is absent, with libsignal.
  'verify-replies'(inp) {
    const phone = unhex(inp.phonePub);
    const companion = unhex(inp.companionPub);
    const results = inp.replies.map((r) => {
      const signed = proto.ADVSignedDeviceIdentity.decode(unhex(r.reply));
      const details = Buffer.from(signed.details);
      const deviceMsg = Buffer.concat([DEVICE, details, companion, phone]);
      const prefix = r.hosted ? HOSTED_ACCOUNT : ACCOUNT;
      const accountMsg = Buffer.concat([prefix, details, companion]);
      return {
        name: r.name,
        detailsMatch: hex(details) === r.details,
        hasAccountKey: signed.accountSignatureKey != null && signed.accountSignatureKey.length > 0,
        accountSignatureValid: xverify(phone, accountMsg, Buffer.from(signed.accountSignature)),
        deviceSignatureValid: xverify(companion, deviceMsg, Buffer.from(signed.deviceSignature)),
        // A flipped device signature must fail (guards against a blind verifier).
        flippedRejected: !xverify(companion, deviceMsg, flip(Buffer.from(signed.deviceSignature))),
      };
    });
    return { results };
  },

  // configs: [{name, browser, version, countryCode, syncFullHistory, pushName}]
  'payloads'(inp) {
    const creds = seededCreds(inp.seed);
    const out = inp.configs.map((cfg) => {
      const config = { ...cfg };
      if (config.pushName == null) delete config.pushName;
      const reg = validate.generateRegistrationNode(creds, config);
      const login = validate.generateLoginNode(inp.loginJid, config);
      return {
        name: cfg.name,
        registration: hex(proto.ClientPayload.encode(reg).finish()),
        login: hex(proto.ClientPayload.encode(login).finish()),
      };
    });
    return { creds: credsToJson(creds), payloads: out };
  },

  // pairs: [{name, ours, baileys}]: decodes both and lists every differing
  // field path (bytes compared as hex, nested DeviceProps decoded too).
  'decode-payloads'(inp) {
    const opts = { longs: String, enums: String, bytes: String, defaults: false };
    const flat = (obj, prefix, out) => {
      for (const [k, v] of Object.entries(obj)) {
        const p = prefix ? `${prefix}.${k}` : k;
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) flat(v, p, out);
        else out[p] = JSON.stringify(v);
      }
      return out;
    };
    const view = (h) => {
      const msg = proto.ClientPayload.decode(unhex(h));
      const obj = proto.ClientPayload.toObject(msg, opts);
      const props = msg.devicePairingData?.deviceProps;
      if (props) {
        obj.devicePairingData.deviceProps = proto.DeviceProps.toObject(proto.DeviceProps.decode(props), opts);
      }
      return flat(obj, '', {});
    };
    const results = inp.pairs.map(({ name, ours, baileys }) => {
      const a = view(ours);
      const b = view(baileys);
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      const diffs = keys.filter((k) => a[k] !== b[k]).map((k) => ({ path: k, ours: a[k], baileys: b[k] }));
      return { name, fields: keys.length, diffs };
    });
    return { results };
  },

  'phash'(inp) {
    return { hashes: inp.lists.map((l) => generics.generateParticipantHashV2([...l])) };
  },
};

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cmd = process.argv[2];
  if (!commands[cmd]) throw new Error(`unknown command ${cmd}`);
  emit(commands[cmd](input()));
}
