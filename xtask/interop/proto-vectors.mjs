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
// Usage (from the oracle folder): node proto-vectors.mjs > baileys.json
import { pathToFileURL } from 'node:url';

const base = process.cwd() + '/node_modules/baileys';
const { proto } = await import(pathToFileURL(`${base}/WAProto/index.js`).href);
const { generateRegistrationNode, generateLoginNode } = await import(
  pathToFileURL(`${base}/lib/Utils/validate-connection.js`).href
);

// Deterministic pseudo-random bytes (LCG), different per seed.
function b(n, seed) {
  const out = Buffer.alloc(n);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function typeOf(path) {
  let t = proto;
  for (const part of path.split('.')) t = t[part];
  if (!t || typeof t.encode !== 'function') throw new Error(`unknown type ${path}`);
  return t;
}

// Encodes with Baileys' generated code (after fromObject, which is how Baileys
// itself builds messages from plain objects).
function encode(type, obj) {
  const T = typeOf(type);
  return Buffer.from(T.encode(T.fromObject(obj)).finish());
}

const vectors = [];
function vec(name, type, obj) {
  const bytes = encode(type, obj);
  pushBytes(name, type, bytes);
  return bytes;
}
function pushBytes(name, type, bytes) {
  if (vectors.some((v) => v.name === name)) throw new Error(`duplicate vector ${name}`);
  const decoded = typeOf(type).decode(bytes);
  vectors.push({ name, type, hex: bytes.toString('hex'), json: decoded.toJSON() });
}

const ME = '15551234567@s.whatsapp.net';
const PEER = '4915112345678@s.whatsapp.net';
const PEER_LID = '123456789012345@lid';
const GROUP = '120363025246125888@g.us';
const key = (id, fromMe = false, participant) => ({
  remoteJid: participant ? GROUP : PEER,
  fromMe,
  id,
  ...(participant ? { participant } : {}),
});
const deviceListMetadata = {
  senderKeyHash: b(10, 1),
  senderTimestamp: '1700000000',
  senderKeyIndexes: [0, 1, 7],
  senderAccountType: 'E2EE',
  receiverAccountType: 'E2EE',
  recipientKeyHash: b(10, 2),
  recipientTimestamp: '1700000100',
  recipientKeyIndexes: [0, 3],
};
const mci = { deviceListMetadata, deviceListMetadataVersion: 2, messageSecret: b(32, 3) };
const media = (seed) => ({
  url: `https://mmg.whatsapp.net/v/t62.7118-24/${seed}_n.enc?ccb=11-4`,
  fileSha256: b(32, seed + 1),
  fileLength: String(1000 + seed),
  mediaKey: b(32, seed + 2),
  fileEncSha256: b(32, seed + 3),
  directPath: `/v/t62.7118-24/${seed}_n.enc?ccb=11-4`,
  mediaKeyTimestamp: '1700000200',
});

// ---- Message content -------------------------------------------------------

vec('text', 'Message', { conversation: 'Hello, wa-gateway! Grüße 👋 ✓', messageContextInfo: mci });

vec('extended_text_context', 'Message', {
  extendedTextMessage: {
    text: '@4915112345678 see https://example.com/a?b=c',
    matchedText: 'https://example.com/a?b=c',
    description: 'An example page',
    title: 'Example',
    textArgb: 0xff112233,
    backgroundArgb: 0xff445566,
    font: 'SYSTEM_BOLD',
    previewType: 'NONE',
    jpegThumbnail: b(24, 4),
    contextInfo: {
      stanzaId: '3EB0C767D26A8C3E0B1A2F',
      participant: PEER,
      quotedMessage: { conversation: 'the quoted text' },
      remoteJid: GROUP,
      mentionedJid: [PEER, PEER_LID],
      forwardingScore: 3,
      isForwarded: true,
      placeholderKey: key('PLACEHOLDER1', true),
      expiration: 604800,
      ephemeralSettingTimestamp: '1699990000',
      ephemeralSharedSecret: b(32, 5),
      externalAdReply: {
        title: 'Ad title',
        body: 'Ad body',
        mediaType: 'IMAGE',
        thumbnailUrl: 'https://example.com/t.jpg',
        sourceUrl: 'https://example.com',
        renderLargerThumbnail: true,
        showAdAttribution: false,
      },
      disappearingMode: { initiator: 'INITIATED_BY_ME', trigger: 'CHAT_SETTING', initiatedByMe: true },
      groupSubject: 'Test group',
      groupMentions: [{ groupJid: GROUP, groupSubject: 'Test group' }],
      forwardedNewsletterMessageInfo: {
        newsletterJid: '120363144038483540@newsletter',
        serverMessageId: 42,
        newsletterName: 'News',
      },
      featureEligibilities: { cannotBeReactedTo: false, canBeReshared: true },
      forwardOrigin: 'CHAT',
      pairedMediaType: 'NOT_PAIRED_MEDIA',
      quotedType: 'EXPLICIT',
      utm: { utmSource: 'src', utmCampaign: 'camp' },
    },
    doNotPlayInline: true,
    inviteLinkGroupType: 'DEFAULT',
    viewOnce: false,
  },
  messageContextInfo: mci,
});

vec('image', 'Message', {
  imageMessage: {
    ...media(10),
    mimetype: 'image/jpeg',
    caption: 'A caption with *bold* and _italics_',
    height: 1280,
    width: 960,
    interactiveAnnotations: [
      {
        polygonVertices: [
          { x: 0.25, y: 0.5 },
          { x: 0.75, y: 0.5 },
          { xDeprecated: 3, yDeprecated: -4 },
        ],
        location: { degreesLatitude: 48.8584, degreesLongitude: 2.2945, name: 'Tour Eiffel' },
        shouldSkipConfirmation: true,
      },
    ],
    jpegThumbnail: b(40, 11),
    contextInfo: { mentionedJid: [PEER], expiration: 86400 },
    firstScanSidecar: b(10, 12),
    firstScanLength: 4096,
    experimentGroupId: 7,
    scansSidecar: b(20, 13),
    scanLengths: [4096, 8192, 300, 70000],
    midQualityFileSha256: b(32, 14),
    midQualityFileEncSha256: b(32, 15),
    viewOnce: false,
    thumbnailDirectPath: '/v/t62.36145-24/thumb',
    thumbnailSha256: b(32, 16),
    thumbnailEncSha256: b(32, 17),
    staticUrl: 'https://static.example/x',
    accessibilityLabel: 'a red bicycle',
    mediaKeyDomain: 'E2EE_CHAT',
    imageSourceType: 'USER_IMAGE',
    qrUrl: 'https://wa.me/qr/ABC',
  },
  messageContextInfo: mci,
});

vec('video_gif', 'Message', {
  videoMessage: {
    ...media(20),
    mimetype: 'video/mp4',
    seconds: 12,
    caption: 'gif',
    gifPlayback: true,
    height: 480,
    width: 640,
    jpegThumbnail: b(16, 21),
    streamingSidecar: b(20, 22),
    gifAttribution: 'GIPHY',
    viewOnce: false,
    processedVideos: [
      { directPath: '/v/hd', fileSha256: b(32, 23), height: 720, width: 1280, fileLength: '999999', bitrate: 2500, quality: 'HIGH', capabilities: ['hevc'] },
    ],
    externalShareFullVideoDurationInSeconds: 30,
    motionPhotoPresentationOffsetMs: '1500',
    videoSourceType: 'USER_VIDEO',
  },
});

vec('ptv', 'Message', { ptvMessage: { ...media(25), mimetype: 'video/mp4', seconds: 5, height: 400, width: 400 } });

vec('audio_ptt', 'Message', {
  audioMessage: {
    ...media(30),
    mimetype: 'audio/ogg; codecs=opus',
    seconds: 17,
    ptt: true,
    streamingSidecar: b(10, 31),
    waveform: b(64, 32),
    backgroundArgb: 0xff000000,
    viewOnce: false,
    accessibilityLabel: 'voice note',
    mediaKeyDomain: 'E2EE_CHAT',
  },
});

const documentMessage = {
  ...media(40),
  mimetype: 'application/pdf',
  title: 'report.pdf',
  pageCount: 12,
  fileName: 'report.pdf',
  contactVcard: false,
  thumbnailDirectPath: '/v/doc-thumb',
  thumbnailSha256: b(32, 41),
  thumbnailEncSha256: b(32, 42),
  jpegThumbnail: b(16, 43),
  thumbnailHeight: 100,
  thumbnailWidth: 80,
  caption: 'the quarterly report',
};
vec('document', 'Message', { documentMessage: { ...documentMessage, caption: undefined } });
vec('document_with_caption', 'Message', {
  documentWithCaptionMessage: { message: { documentMessage } },
  messageContextInfo: mci,
});

vec('sticker', 'Message', {
  stickerMessage: {
    ...media(50),
    mimetype: 'image/webp',
    height: 512,
    width: 512,
    firstFrameLength: 1234,
    firstFrameSidecar: b(8, 51),
    isAnimated: true,
    pngThumbnail: b(16, 52),
    stickerSentTs: '1700000300000',
    isAvatar: false,
    isAiSticker: false,
    isLottie: false,
  },
});

vec('location', 'Message', {
  locationMessage: {
    degreesLatitude: 52.520008,
    degreesLongitude: 13.404954,
    name: 'Berlin',
    address: 'Alexanderplatz, 10178 Berlin',
    url: 'https://maps.example/berlin',
    isLive: false,
    accuracyInMeters: 12,
    speedInMps: 1.5,
    degreesClockwiseFromMagneticNorth: 270,
    comment: 'meet here',
    jpegThumbnail: b(16, 60),
  },
});

vec('live_location', 'Message', {
  liveLocationMessage: {
    degreesLatitude: -33.8688,
    degreesLongitude: 151.2093,
    accuracyInMeters: 5,
    speedInMps: 0.25,
    degreesClockwiseFromMagneticNorth: 90,
    caption: 'on my way',
    sequenceNumber: '1700000400001',
    timeOffset: 30,
    jpegThumbnail: b(8, 61),
  },
});

const vcard = (n, tel) =>
  `BEGIN:VCARD\nVERSION:3.0\nFN:${n}\nTEL;type=CELL;type=VOICE;waid=${tel}:+${tel}\nEND:VCARD`;
vec('contact', 'Message', { contactMessage: { displayName: 'Alice', vcard: vcard('Alice', '4915112345678') } });
vec('contacts_array', 'Message', {
  contactsArrayMessage: {
    displayName: '2 contacts',
    contacts: [
      { displayName: 'Alice', vcard: vcard('Alice', '4915112345678') },
      { displayName: 'Bob', vcard: vcard('Bob', '15557654321') },
    ],
  },
});

const pollOptions = [{ optionName: 'Yes' }, { optionName: 'No' }, { optionName: 'Maybe 🤔' }];
vec('poll_creation_v1', 'Message', {
  pollCreationMessage: { encKey: b(32, 70), name: 'Lunch?', options: pollOptions, selectableOptionsCount: 0 },
});
vec('poll_creation_v2', 'Message', {
  pollCreationMessageV2: { name: 'Pick any', options: pollOptions, selectableOptionsCount: 2 },
  messageContextInfo: { messageSecret: b(32, 71) },
});
vec('poll_creation_v3', 'Message', {
  pollCreationMessageV3: {
    name: 'Pick one',
    options: pollOptions,
    selectableOptionsCount: 1,
    contextInfo: { mentionedJid: [PEER] },
    pollContentType: 'TEXT',
    pollType: 'POLL',
  },
  messageContextInfo: { messageSecret: b(32, 72) },
});
vec('poll_update', 'Message', {
  pollUpdateMessage: {
    pollCreationMessageKey: key('3EB0POLLCREATION0001', false, PEER),
    vote: { encPayload: b(48, 73), encIv: b(12, 74) },
    metadata: {},
    senderTimestampMs: '1700000500123',
  },
  messageContextInfo: mci,
});
vec('poll_vote', 'Message.PollVoteMessage', { selectedOptions: [b(32, 75), b(32, 76)] });

vec('reaction', 'Message', {
  reactionMessage: { key: key('3EB0TARGETMESSAGE001', true), text: '👍', senderTimestampMs: '1700000600000' },
});
vec('reaction_remove', 'Message', {
  reactionMessage: { key: key('3EB0TARGETMESSAGE002', false, PEER), text: '', groupingKey: '', senderTimestampMs: '1700000600001' },
});

vec('protocol_revoke', 'Message', {
  protocolMessage: { key: key('3EB0REVOKED00000001', true), type: 'REVOKE' },
  messageContextInfo: mci,
});
vec('protocol_edit', 'Message', {
  editedMessage: {
    message: {
      protocolMessage: {
        key: key('3EB0EDITED000000001', true),
        type: 'MESSAGE_EDIT',
        editedMessage: { conversation: 'corrected text' },
        timestampMs: '1700000700000',
      },
    },
  },
  messageContextInfo: mci,
});
vec('protocol_ephemeral_setting', 'Message', {
  protocolMessage: {
    type: 'EPHEMERAL_SETTING',
    ephemeralExpiration: 604800,
    ephemeralSettingTimestamp: '1700000800',
    disappearingMode: { initiator: 'CHANGED_IN_CHAT', trigger: 'CHAT_SETTING' },
  },
});
vec('protocol_history_sync_notification', 'Message', {
  protocolMessage: {
    type: 'HISTORY_SYNC_NOTIFICATION',
    historySyncNotification: {
      fileSha256: b(32, 80),
      fileLength: '123456',
      mediaKey: b(32, 81),
      fileEncSha256: b(32, 82),
      directPath: '/v/t62.1234-24/history.enc',
      syncType: 'INITIAL_BOOTSTRAP',
      chunkOrder: 1,
      originalMessageId: '3EB0HISTORY00000001',
      progress: 50,
      oldestMsgInChunkTimestampSec: '1690000000',
      initialHistBootstrapInlinePayload: b(20, 83),
      peerDataRequestSessionId: 'session-1',
    },
  },
});
vec('protocol_app_state_sync_key_share', 'Message', {
  protocolMessage: {
    type: 'APP_STATE_SYNC_KEY_SHARE',
    appStateSyncKeyShare: {
      keys: [
        {
          keyId: { keyId: b(6, 90) },
          keyData: {
            keyData: b(32, 91),
            fingerprint: { rawId: 12345678, currentIndex: 2, deviceIndexes: [0, 2, 5] },
            timestamp: '1700000900000',
          },
        },
        { keyId: { keyId: b(6, 92) }, keyData: { keyData: b(32, 93), timestamp: '1700000900001' } },
      ],
    },
  },
});
vec('protocol_app_state_sync_key_request', 'Message', {
  protocolMessage: {
    type: 'APP_STATE_SYNC_KEY_REQUEST',
    appStateSyncKeyRequest: { keyIds: [{ keyId: b(6, 90) }, { keyId: b(6, 94) }] },
  },
});
vec('protocol_peer_data_operation_request', 'Message', {
  protocolMessage: {
    type: 'PEER_DATA_OPERATION_REQUEST_MESSAGE',
    peerDataOperationRequestMessage: {
      peerDataOperationRequestType: 'HISTORY_SYNC_ON_DEMAND',
      historySyncOnDemandRequest: {
        chatJid: PEER,
        oldestMsgId: '3EB0OLDEST000000001',
        oldestMsgFromMe: false,
        onDemandMsgCount: 50,
        oldestMsgTimestampMs: '1690000000000',
      },
      placeholderMessageResendRequest: [{ messageKey: key('3EB0PLACEHOLDER0001') }],
      fullHistorySyncOnDemandRequest: {
        requestMetadata: { requestId: 'req-1' },
        historySyncConfig: { fullSyncDaysLimit: 365, storageQuotaMb: 10240 },
      },
    },
  },
});
vec('protocol_peer_data_operation_response', 'Message', {
  protocolMessage: {
    type: 'PEER_DATA_OPERATION_REQUEST_RESPONSE_MESSAGE',
    peerDataOperationRequestResponseMessage: {
      peerDataOperationRequestType: 'PLACEHOLDER_MESSAGE_RESEND',
      stanzaId: '3EB0PDO0000000001',
      peerDataOperationResult: [
        { placeholderMessageResendResponse: { webMessageInfoBytes: b(30, 95) } },
        { mediaUploadResult: 'SUCCESS' },
      ],
    },
  },
});

vec('sender_key_distribution', 'Message', {
  senderKeyDistributionMessage: { groupId: GROUP, axolotlSenderKeyDistributionMessage: b(80, 100) },
  messageContextInfo: mci,
});
vec('device_sent', 'Message', {
  deviceSentMessage: {
    destinationJid: PEER,
    message: { extendedTextMessage: { text: 'sent from my phone', contextInfo: { expiration: 0 } } },
    phash: '2:AbCdEf',
  },
  messageContextInfo: mci,
});
vec('ephemeral', 'Message', {
  ephemeralMessage: {
    message: { extendedTextMessage: { text: 'disappearing', contextInfo: { expiration: 86400, ephemeralSettingTimestamp: '1700001000' } } },
  },
});
vec('view_once_v2', 'Message', {
  viewOnceMessageV2: { message: { imageMessage: { ...media(110), mimetype: 'image/jpeg', viewOnce: true } } },
});

vec('buttons', 'Message', {
  buttonsMessage: {
    text: 'Header text',
    contentText: 'Choose an option',
    footerText: 'footer',
    contextInfo: { mentionedJid: [PEER] },
    buttons: [
      { buttonId: 'id1', buttonText: { displayText: 'First' }, type: 'RESPONSE' },
      { buttonId: 'id2', buttonText: { displayText: 'Second' }, type: 'RESPONSE' },
      { buttonId: 'flow', type: 'NATIVE_FLOW', nativeFlowInfo: { name: 'quick_reply', paramsJson: '{"a":1}' } },
    ],
    headerType: 'TEXT',
  },
});
vec('buttons_image_header', 'Message', {
  buttonsMessage: {
    imageMessage: { ...media(120), mimetype: 'image/jpeg' },
    contentText: 'With image',
    buttons: [{ buttonId: 'b', buttonText: { displayText: 'OK' }, type: 'RESPONSE' }],
    headerType: 'IMAGE',
  },
});
vec('buttons_response', 'Message', {
  buttonsResponseMessage: {
    selectedButtonId: 'id2',
    selectedDisplayText: 'Second',
    contextInfo: { stanzaId: '3EB0BUTTONS0000001', participant: ME, quotedMessage: { conversation: 'Choose an option' } },
    type: 'DISPLAY_TEXT',
  },
});
vec('list', 'Message', {
  listMessage: {
    title: 'Menu',
    description: 'Pick a dish',
    buttonText: 'Open menu',
    listType: 'SINGLE_SELECT',
    sections: [
      { title: 'Mains', rows: [{ title: 'Pasta', description: 'with tomato', rowId: 'r1' }, { title: 'Soup', rowId: 'r2' }] },
      { title: 'Desserts', rows: [{ title: 'Ice cream', rowId: 'r3' }] },
    ],
    footerText: 'thanks',
  },
});
vec('list_response', 'Message', {
  listResponseMessage: {
    title: 'Pasta',
    listType: 'SINGLE_SELECT',
    singleSelectReply: { selectedRowId: 'r1' },
    contextInfo: { stanzaId: '3EB0LIST000000001', participant: ME },
    description: 'with tomato',
  },
});
vec('template', 'Message', {
  templateMessage: {
    hydratedTemplate: {
      hydratedTitleText: 'Title',
      hydratedContentText: 'Body text',
      hydratedFooterText: 'Footer',
      hydratedButtons: [
        { index: 0, quickReplyButton: { displayText: 'Reply', id: 'qr1' } },
        { index: 1, urlButton: { displayText: 'Visit', url: 'https://example.com' } },
        { index: 2, callButton: { displayText: 'Call', phoneNumber: '+15551234567' } },
      ],
      templateId: 'tpl-1',
    },
    hydratedFourRowTemplate: {
      hydratedTitleText: 'Title',
      hydratedContentText: 'Body text',
      hydratedButtons: [{ index: 0, quickReplyButton: { displayText: 'Reply', id: 'qr1' } }],
    },
  },
});
vec('template_button_reply', 'Message', {
  templateButtonReplyMessage: { selectedId: 'qr1', selectedDisplayText: 'Reply', selectedIndex: 0, contextInfo: { stanzaId: '3EB0TPL0000000001' } },
});
vec('interactive_native_flow', 'Message', {
  viewOnceMessage: {
    message: {
      messageContextInfo: { deviceListMetadata: {}, deviceListMetadataVersion: 2 },
      interactiveMessage: {
        header: { title: 'Order #42', subtitle: 'sub', hasMediaAttachment: false },
        body: { text: 'Your order is ready' },
        footer: { text: 'Shop' },
        nativeFlowMessage: {
          buttons: [
            { name: 'quick_reply', buttonParamsJson: '{"display_text":"OK","id":"ok"}' },
            { name: 'cta_url', buttonParamsJson: '{"display_text":"Track","url":"https://example.com/t/42"}' },
            { name: 'cta_copy', buttonParamsJson: '{"display_text":"Copy code","copy_code":"ABC123"}' },
          ],
          messageParamsJson: '{}',
          messageVersion: 1,
        },
        contextInfo: { mentionedJid: [PEER] },
      },
    },
  },
});
// A oneof whose set member (videoMessage = 7) has a higher number than a plain
// field after the oneof's first member (hasMediaAttachment = 5): prost writes
// a oneof at the position of its lowest-numbered member, protobufjs in field
// number order, so the re-encoded bytes differ in order only.
vec('interactive_header_video', 'Message', {
  interactiveMessage: {
    header: { title: 'Video', hasMediaAttachment: true, videoMessage: { ...media(130), mimetype: 'video/mp4', seconds: 3 } },
    body: { text: 'Watch this' },
    nativeFlowMessage: { buttons: [{ name: 'quick_reply', buttonParamsJson: '{"display_text":"Nice","id":"n"}' }] },
  },
});
vec('interactive_response', 'Message', {
  interactiveResponseMessage: {
    body: { text: 'OK', format: 'DEFAULT' },
    nativeFlowResponseMessage: { name: 'quick_reply', paramsJson: '{"id":"ok"}', version: 1 },
    contextInfo: { stanzaId: '3EB0INTERACTIVE001', participant: ME },
  },
});
vec('keep_in_chat', 'Message', {
  keepInChatMessage: { key: key('3EB0KEEP0000000001', false, PEER), keepType: 'KEEP_FOR_ALL', timestampMs: '1700001100000' },
});
vec('pin_in_chat', 'Message', {
  pinInChatMessage: { key: key('3EB0PIN00000000001', true), type: 'PIN_FOR_ALL', senderTimestampMs: '1700001200000' },
  messageContextInfo: { messageAddOnDurationInSecs: 604800 },
});
vec('group_invite', 'Message', {
  groupInviteMessage: {
    groupJid: GROUP,
    inviteCode: 'AbCdEfGhIjKlMn',
    inviteExpiration: '1700604800',
    groupName: 'Test group',
    jpegThumbnail: b(16, 140),
    caption: 'join us',
    groupType: 'DEFAULT',
  },
});
vec('event', 'Message', {
  eventMessage: {
    isCanceled: false,
    name: 'Meetup',
    description: 'Monthly meetup',
    location: { degreesLatitude: 51.5, degreesLongitude: -0.12, name: 'London' },
    joinLink: 'https://call.whatsapp.com/video/abc',
    startTime: '1700100000',
    endTime: '1700107200',
    extraGuestsAllowed: true,
  },
  messageContextInfo: { messageSecret: b(32, 141) },
});
vec('message_key', 'MessageKey', key('3EB0KEY00000000001', false, PEER_LID));

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

// ---- Stored messages and history sync -------------------------------------------

const webMessageInfo = {
  key: key('3EB0WEBINFO0000001', false, PEER),
  message: { conversation: 'from history' },
  messageTimestamp: '1700004000',
  status: 'READ',
  participant: PEER,
  messageC2STimestamp: '1700004001',
  starred: true,
  pushName: 'Alice',
  mediaCiphertextSha256: b(32, 210),
  messageStubParameters: [],
  labels: ['1', '4'],
  ephemeralStartTimestamp: '1700004000',
  ephemeralDuration: 604800,
  userReceipt: [
    { userJid: ME, receiptTimestamp: '1700004010', readTimestamp: '1700004020', deliveredDeviceJid: ['15551234567:3@s.whatsapp.net'] },
  ],
  reactions: [{ key: key('3EB0REACTION000001', true), text: '❤️', senderTimestampMs: '1700004030000', unread: false }],
  pollUpdates: [
    {
      pollUpdateMessageKey: key('3EB0POLLUPDATE0001', false, PEER),
      vote: { selectedOptions: [b(32, 211)] },
      senderTimestampMs: '1700004040000',
      serverTimestampMs: '1700004040500',
    },
  ],
  messageSecret: b(32, 212),
  keepInChat: { keepType: 'KEEP_FOR_ALL', serverTimestamp: '1700004050', key: key('3EB0KEEP0000000002') },
  pinInChat: { type: 'PIN_FOR_ALL', key: key('3EB0PIN00000000002'), senderTimestampMs: '1700004060000' },
  eventResponses: [{ eventResponseMessageKey: key('3EB0EVRESP00000001'), timestampMs: '1700004070000', eventResponseMessage: { response: 'GOING', timestampMs: '1700004070000', extraGuestCount: 1 } }],
  statusMentions: [],
  targetMessageId: key('3EB0TARGET00000001'),
};
vec('web_message_info', 'WebMessageInfo', webMessageInfo);
vec('web_message_info_stub', 'WebMessageInfo', {
  key: { remoteJid: GROUP, fromMe: false, id: '3EB0STUB0000000001', participant: PEER },
  messageTimestamp: '1700004100',
  messageStubType: 'GROUP_CREATE',
  messageStubParameters: ['Test group', PEER],
  bizPrivacyStatus: 'E2EE',
});

const historyMsg = (id, order, text) => ({
  message: { key: key(id, order % 2 === 0), message: { conversation: text }, messageTimestamp: String(1690000000 + order), status: 'DELIVERY_ACK' },
  msgOrderId: String(order),
});
vec('history_sync_initial_bootstrap', 'HistorySync', {
  syncType: 'INITIAL_BOOTSTRAP',
  conversations: [
    {
      id: PEER,
      messages: [historyMsg('3EB0HIST0000000001', 1, 'first'), historyMsg('3EB0HIST0000000002', 2, 'second')],
      unreadCount: 1,
      ephemeralExpiration: 0,
      conversationTimestamp: '1690000002',
      name: 'Alice',
      notSpam: true,
      archived: false,
      pinned: 0,
      muteEndTime: '0',
      mediaVisibility: 'DEFAULT',
      tcToken: b(16, 220),
      tcTokenTimestamp: '1690000000',
      pnJid: PEER,
      lidJid: PEER_LID,
    },
    {
      id: GROUP,
      messages: [],
      name: 'Test group',
      participant: [
        { userJid: ME, rank: 'SUPERADMIN' },
        { userJid: PEER, rank: 'REGULAR' },
      ],
      endOfHistoryTransfer: true,
      endOfHistoryTransferType: 'COMPLETE_AND_NO_MORE_MESSAGE_REMAIN_ON_PRIMARY',
      disappearingMode: { initiator: 'INITIATED_BY_OTHER' },
      limitSharing: false,
      limitSharingTrigger: 'CHAT_SETTING',
    },
  ],
  chunkOrder: 0,
  progress: 100,
  pushnames: [{ id: PEER, pushname: 'Alice' }],
  globalSettings: {
    mediaVisibility: 'ON',
    autoDownloadWiFi: { downloadImages: true, downloadAudio: true, downloadVideo: true, downloadDocuments: true },
    disappearingModeDuration: 0,
    fontSize: 2,
    securityNotifications: true,
    chatLockSettings: { hideLockedChats: true, secretCode: { encoding: 'UTF8', transformer: 'PBKDF2_HMAC_SHA512', transformerArg: [{ key: 'iterations', value: { asUnsignedInteger: 100000 } }, { key: 'salt', value: { asBlob: b(16, 221) } }], transformedData: b(32, 222) } },
  },
  threadIdUserSecret: b(32, 223),
  phoneNumberToLidMappings: [{ pnJid: PEER, lidJid: PEER_LID }],
  pastParticipants: [{ groupJid: GROUP, pastParticipants: [{ userJid: '15550000000@s.whatsapp.net', leaveReason: 'REMOVED', leaveTs: '1690000500' }] }],
  recentStickers: [{ url: 'https://mmg.whatsapp.net/s', fileSha256: b(32, 224), mimetype: 'image/webp', height: 512, width: 512, weight: 0.5 }],
  accounts: [{ lid: PEER_LID, username: 'alice', countryCode: 'DE' }],
});
vec('history_sync_push_name', 'HistorySync', {
  syncType: 'PUSH_NAME',
  pushnames: [
    { id: PEER, pushname: 'Alice' },
    { id: '15557654321@s.whatsapp.net', pushname: 'Bob 🎉' },
  ],
});
vec('history_sync_recent', 'HistorySync', {
  syncType: 'RECENT',
  conversations: [{ id: PEER_LID, messages: [historyMsg('3EB0HIST0000000003', 3, 'recent')], lidJid: PEER_LID, pnJid: PEER }],
  statusV3Messages: [{ key: { remoteJid: 'status@broadcast', fromMe: false, id: '3EB0STATUS00000001', participant: PEER }, message: { conversation: 'my status' }, messageTimestamp: '1690001000' }],
  chunkOrder: 2,
});

// ---- App state ------------------------------------------------------------------

const range = {
  lastMessageTimestamp: '1700005000',
  lastSystemMessageTimestamp: '1700004000',
  messages: [
    { key: key('3EB0RANGE000000001', true), timestamp: '1700005000' },
    { key: key('3EB0RANGE000000002'), timestamp: '1700004900' },
  ],
};
const sticker = {
  url: 'https://mmg.whatsapp.net/sticker',
  fileEncSha256: b(32, 230),
  mediaKey: b(32, 231),
  mimetype: 'image/webp',
  height: 512,
  width: 512,
  directPath: '/v/sticker',
  fileLength: '20000',
  isFavorite: true,
  deviceIdHint: 1,
  isLottie: false,
  imageHash: 'hash',
  isAvatarSticker: false,
};
const actions = {
  starAction: { starred: true },
  contactAction: { fullName: 'Alice Example', firstName: 'Alice', lidJid: PEER_LID, saveOnPrimaryAddressbook: true, pnJid: PEER, username: 'alice' },
  muteAction: { muted: true, muteEndTimestamp: '1700090000000', autoMuted: false },
  pinAction: { pinned: true },
  pushNameSetting: { name: 'Gateway' },
  quickReplyAction: { shortcut: 'hi', message: 'Hello there!', keywords: ['hello', 'hey'], count: 3, deleted: false },
  recentEmojiWeightsAction: { weights: [{ emoji: '👍', weight: 0.75 }, { emoji: '😂', weight: 0.25 }] },
  labelEditAction: { name: 'Customers', color: -1, predefinedId: 3, deleted: false, orderIndex: 2, isActive: true, type: 'CUSTOM', isImmutable: false, muteEndTimeMs: '0' },
  labelAssociationAction: { labeled: true },
  localeSetting: { locale: 'de_DE' },
  archiveChatAction: { archived: true, messageRange: range },
  deleteMessageForMeAction: { deleteMedia: true, messageTimestamp: '-1' },
  keyExpiration: { expiredKeyEpoch: 3 },
  markChatAsReadAction: { read: false, messageRange: range },
  clearChatAction: { messageRange: range },
  deleteChatAction: { messageRange: range },
  unarchiveChatsSetting: { unarchiveChats: false },
  primaryFeature: { flags: ['flag_a', 'flag_b'] },
  androidUnsupportedActions: { allowed: true },
  agentAction: { name: 'Agent Smith', deviceID: 4, isDeleted: false },
  subscriptionAction: { isDeactivated: false, isAutoRenewing: true, expirationDate: '1800000000' },
  userStatusMuteAction: { muted: true },
  timeFormatAction: { isTwentyFourHourFormatEnabled: true },
  nuxAction: { acknowledged: true },
  primaryVersionAction: { version: '2.24.1.5' },
  stickerAction: sticker,
  removeRecentStickerAction: { lastStickerSentTs: '1700006000000' },
  chatAssignment: { deviceAgentID: 'agent-1' },
  chatAssignmentOpenedStatus: { chatOpened: true },
  pnForLidChatAction: { pnJid: PEER },
  externalWebBetaAction: { isOptIn: true },
  privacySettingRelayAllCalls: { isEnabled: true },
  statusPrivacy: { mode: 'DENY_LIST', userJid: [PEER, '15557654321@s.whatsapp.net'] },
  botWelcomeRequestAction: { isSent: true },
  deleteIndividualCallLog: { peerJid: PEER, isIncoming: true },
  labelReorderingAction: { sortedLabelIds: [3, 1, 2, -5] },
  lockChatAction: { locked: true },
  chatLockSettings: { hideLockedChats: false, secretCode: { encoding: 'UTF8', transformer: 'NONE', transformedData: b(8, 232) } },
  wamoUserIdentifierAction: { identifier: 'wamo-1' },
  privacySettingDisableLinkPreviewsAction: { isPreviewsDisabled: true },
  deviceCapabilities: { chatLockSupportLevel: 'FULL', lidMigration: { chatDbMigrationTimestamp: '1700007000' }, businessBroadcast: { importListEnabled: true }, userHasAvatar: { userHasAvatar: false }, memberNameTagPrimarySupport: 'SENDER_ENABLED' },
  favoritesAction: { favorites: [{ id: PEER }, { id: GROUP }] },
  waffleAccountLinkStateAction: { linkState: 'PAUSED' },
  notificationActivitySettingAction: { notificationActivitySetting: 'HIGHLIGHTS' },
  lidContactAction: { fullName: 'Alice Example', firstName: 'Alice', username: 'alice' },
  ctwaPerCustomerDataSharingAction: { isCtwaPerCustomerDataSharingEnabled: true },
  privacySettingChannelsPersonalisedRecommendationAction: { isUserOptedOut: true },
  businessBroadcastAssociationAction: { deleted: false },
  detectedOutcomesStatusAction: { isEnabled: true },
  maibaAiFeaturesControlAction: { aiFeatureStatus: 'DISABLED' },
  statusPostOptInNotificationPreferencesAction: { enabled: true },
  avatarUpdatedAction: { eventType: 'CREATED', recentAvatarStickers: [sticker] },
  privateProcessingSettingAction: { privateProcessingStatus: 'ENABLED' },
  newsletterSavedInterestsAction: { newsletterSavedInterests: '["tech"]' },
  aiThreadRenameAction: { newTitle: 'Renamed thread' },
};
let t = 0;
for (const [field, value] of Object.entries(actions)) {
  vec(`sync_action_${field}`, 'SyncActionValue', { timestamp: String(1700008000000 + t++), [field]: value });
}
const actionData = vec('sync_action_data', 'SyncActionData', {
  index: Buffer.from(JSON.stringify(['mute', PEER])),
  value: { timestamp: '1700009000000', muteAction: { muted: true, muteEndTimestamp: '-1' } },
  padding: b(4, 240),
  version: 2,
});
const record = (seed) => ({
  index: { blob: b(32, seed) },
  value: { blob: Buffer.concat([b(16, seed + 1), actionData, b(32, seed + 2)]) },
  keyId: { id: b(6, 90) },
});
vec('syncd_patch', 'SyncdPatch', {
  version: { version: '42' },
  mutations: [
    { operation: 'SET', record: record(241) },
    { operation: 'REMOVE', record: record(244) },
  ],
  snapshotMac: b(32, 247),
  patchMac: b(32, 248),
  keyId: { id: b(6, 90) },
  deviceIndex: 3,
});
vec('syncd_patch_external', 'SyncdPatch', {
  version: { version: '43' },
  externalMutations: {
    mediaKey: b(32, 249),
    directPath: '/v/t62.1234-24/mutations.enc',
    handle: 'handle',
    fileSizeBytes: '4096',
    fileSha256: b(32, 250),
    fileEncSha256: b(32, 251),
  },
  snapshotMac: b(32, 252),
  patchMac: b(32, 253),
  keyId: { id: b(6, 90) },
  exitCode: { code: '18446744073709551615', text: 'max u64' },
});
vec('syncd_mutations', 'SyncdMutations', { mutations: [{ operation: 'SET', record: record(254) }] });
vec('syncd_snapshot', 'SyncdSnapshot', {
  version: { version: '41' },
  records: [record(255), record(258)],
  mac: b(32, 261),
  keyId: { id: b(6, 90) },
});

process.stdout.write('[\n' + vectors.map((v) => JSON.stringify(v)).join(',\n') + '\n]\n');
