// Protobuf test vectors produced by the reference implementation: Baileys'
// own generated protobuf code (WAProto/index.js, protobufjs static code) and,
// for the ClientPayload, Baileys' own login/registration payload builders.
//
// Each vector is {name, type, hex, json}: `type` is the message path in the
// reference schema (package omitted), `hex` Baileys' encoding, `json` Baileys'
// decoding of those bytes (protobufjs toJSON: int64 as strings, bytes as
// base64, enums as names). Every input is fixed, so the output is
// deterministic: `cargo xtask interop proto` regenerates it and compares it
// with crates/wa-proto/tests/vectors/proto/baileys.json.
//
// This driver holds the login/pairing, handshake, Signal-wire and server
// vectors; proto-vectors-message.mjs the Message content vectors and
// proto-vectors-state.mjs the stored-message, history and app-state ones
// (proto-vectors-lib.mjs: shared helpers). Output order is fixed.
//
// Usage (from the oracle folder): node proto-vectors.mjs > baileys.json
import { pathToFileURL } from 'node:url';
import { b, base, proto, vec, pushBytes, vectors } from './proto-vectors-lib.mjs';
import { addMessageVectors } from './proto-vectors-message.mjs';
import { addStateVectors } from './proto-vectors-state.mjs';

const { generateRegistrationNode, generateLoginNode } = await import(
  pathToFileURL(`${base}/lib/Utils/validate-connection.js`).href
);

addMessageVectors();

// ---- Login, registration, pairing ---------------------------------------

const config = {
  version: [2, 3000, 1029496320],
  browser: ['Ubuntu', 'Chrome', '22.04'],
  countryCode: 'US',
  syncFullHistory: false,
};
const registration = generateRegistrationNode(
  {
    registrationId: 12345,
    signedPreKey: { keyId: 1, keyPair: { public: b(32, 150) }, signature: b(64, 151) },
    signedIdentityKey: { public: b(32, 152) },
  },
  config,
);
pushBytes('client_payload_registration', 'ClientPayload', Buffer.from(proto.ClientPayload.encode(registration).finish()));
pushBytes('device_props_registration', 'DeviceProps', Buffer.from(registration.devicePairingData.deviceProps));
const login = generateLoginNode('15551234567:3@s.whatsapp.net', config);
pushBytes('client_payload_login', 'ClientPayload', Buffer.from(proto.ClientPayload.encode(login).finish()));
vec('client_payload_login_full', 'ClientPayload', {
  username: '15551234567',
  passive: true,
  userAgent: {
    platform: 'MACOS',
    appVersion: { primary: 2, secondary: 3000, tertiary: 1029496320, quaternary: 0, quinary: 1 },
    mcc: '262',
    mnc: '001',
    osVersion: '14.1',
    manufacturer: 'Apple',
    device: 'Desktop',
    osBuildNumber: '23B74',
    phoneId: 'phone-id',
    releaseChannel: 'BETA',
    localeLanguageIso6391: 'de',
    localeCountryIso31661Alpha2: 'DE',
    deviceBoard: 'board',
    deviceType: 'DESKTOP',
    deviceModelType: 'model',
  },
  webInfo: {
    refToken: 'ref',
    version: '2.3000.1029496320',
    webdPayload: { usesParticipantInKey: true, supportsStarredMessages: true, documentTypes: 'pdf', features: b(4, 160) },
    webSubPlatform: 'DARWIN',
  },
  pushName: 'Gateway',
  sessionId: -123456,
  shortConnect: true,
  connectType: 'CELLULAR_LTE',
  connectReason: 'ERROR_RECONNECT',
  shards: [1, 2, -3],
  dnsSource: { dnsMethod: 'HARDCODED', appCached: true },
  connectAttemptCount: 4,
  device: 3,
  product: 'WHATSAPP',
  oc: false,
  lc: 1,
  pull: true,
  paddingBytes: b(5, 161),
  yearClass: 2020,
  memClass: 4096,
  trafficAnonymization: 'OFF',
  lidDbMigrated: true,
  accountType: 'DEFAULT',
  connectionSequenceInfo: 7,
  preacksCount: 0,
});
vec('device_props_full', 'DeviceProps', {
  os: 'wa-gateway',
  version: { primary: 0, secondary: 1, tertiary: 0 },
  platformType: 'DESKTOP',
  requireFullSync: true,
  historySyncConfig: {
    fullSyncDaysLimit: 365,
    fullSyncSizeMbLimit: 1024,
    storageQuotaMb: 10240,
    inlineInitialPayloadInE2EeMsg: true,
    recentSyncDaysLimit: 30,
    supportCallLogHistory: false,
    supportBotUserAgentChatHistory: true,
    supportCagReactionsAndPolls: true,
    supportBizHostedMsg: true,
    supportRecentSyncChunkMessageCountTuning: true,
    supportHostedGroupMsg: true,
    supportFbidBotChatHistory: true,
    supportMessageAssociation: true,
    supportGroupHistory: false,
    onDemandReady: true,
    completeOnDemandReady: false,
    thumbnailSyncDaysLimit: 60,
  },
});

const deviceIdentity = vec('adv_device_identity', 'ADVDeviceIdentity', {
  rawId: 3141592653,
  timestamp: '1700002000',
  keyIndex: 5,
  accountType: 'E2EE',
  deviceType: 'E2EE',
});
const signedIdentity = vec('adv_signed_device_identity', 'ADVSignedDeviceIdentity', {
  details: deviceIdentity,
  accountSignatureKey: b(32, 170),
  accountSignature: b(64, 171),
  deviceSignature: b(64, 172),
});
vec('adv_signed_device_identity_hmac', 'ADVSignedDeviceIdentityHMAC', { details: signedIdentity, hmac: b(32, 173) });
vec('adv_signed_device_identity_hmac_hosted', 'ADVSignedDeviceIdentityHMAC', {
  details: signedIdentity,
  hmac: b(32, 174),
  accountType: 'HOSTED',
});
const keyIndexList = vec('adv_key_index_list', 'ADVKeyIndexList', {
  rawId: 3141592653,
  timestamp: '1700002100',
  currentIndex: 9,
  validIndexes: [0, 5, 9],
  accountType: 'E2EE',
});
vec('adv_signed_key_index_list', 'ADVSignedKeyIndexList', {
  details: keyIndexList,
  accountSignature: b(64, 175),
  accountSignatureKey: b(32, 176),
});

// ---- Noise handshake --------------------------------------------------------

vec('handshake_client_hello', 'HandshakeMessage', { clientHello: { ephemeral: b(32, 180) } });
vec('handshake_server_hello', 'HandshakeMessage', {
  serverHello: { ephemeral: b(32, 181), static: b(48, 182), payload: b(120, 183) },
});
vec('handshake_client_finish', 'HandshakeMessage', { clientFinish: { static: b(48, 184), payload: b(200, 185) } });
const intermediateDetails = vec('cert_details_intermediate', 'CertChain.NoiseCertificate.Details', {
  serial: 1,
  issuerSerial: 0,
  key: b(32, 186),
  notBefore: '1700000000',
  notAfter: '1900000000',
});
const leafDetails = vec('cert_details_leaf', 'CertChain.NoiseCertificate.Details', {
  serial: 2,
  issuerSerial: 1,
  key: b(32, 187),
  notBefore: '1700000000',
  notAfter: '1800000000',
});
vec('cert_chain', 'CertChain', {
  leaf: { details: leafDetails, signature: b(64, 188) },
  intermediate: { details: intermediateDetails, signature: b(64, 189) },
});

// ---- Signal wire ------------------------------------------------------------

const signalMessage = vec('signal_message', 'SignalMessage', {
  ratchetKey: Buffer.concat([Buffer.from([5]), b(32, 190)]),
  counter: 7,
  previousCounter: 3,
  ciphertext: b(48, 191),
});
vec('prekey_signal_message', 'PreKeySignalMessage', {
  registrationId: 12345,
  preKeyId: 101,
  signedPreKeyId: 1,
  baseKey: Buffer.concat([Buffer.from([5]), b(32, 192)]),
  identityKey: Buffer.concat([Buffer.from([5]), b(32, 193)]),
  message: Buffer.concat([Buffer.from([0x33]), signalMessage, b(8, 194)]),
});
vec('sender_key_message', 'SenderKeyMessage', { id: 2718281828, iteration: 42, ciphertext: b(32, 195) });
vec('sender_key_distribution_message', 'SenderKeyDistributionMessage', {
  id: 2718281828,
  iteration: 0,
  chainKey: b(32, 196),
  signingKey: Buffer.concat([Buffer.from([5]), b(32, 197)]),
});

// ---- Server payloads ----------------------------------------------------------

vec('media_retry_notification', 'MediaRetryNotification', {
  stanzaId: '3EB0MEDIARETRY0001',
  directPath: '/v/t62.7118-24/new.enc',
  result: 'SUCCESS',
  messageSecret: b(32, 200),
});
vec('server_error_receipt', 'ServerErrorReceipt', { stanzaId: '3EB0SERVERERROR01' });
const vnameDetails = vec('verified_name_details', 'VerifiedNameCertificate.Details', {
  serial: '9876543210',
  issuer: 'smb:wa',
  verifiedName: 'ACME Corp',
  localizedNames: [{ lg: 'de', lc: 'DE', verifiedName: 'ACME GmbH' }],
  issueTime: '1700003000',
});
vec('verified_name_certificate', 'VerifiedNameCertificate', {
  details: vnameDetails,
  signature: b(64, 201),
  serverSignature: b(64, 202),
});

addStateVectors();

process.stdout.write('[\n' + vectors.map((v) => JSON.stringify(v)).join(',\n') + '\n]\n');
