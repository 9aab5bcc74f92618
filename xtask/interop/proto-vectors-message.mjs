// Message content vectors (see proto-vectors.mjs), encoded with Baileys'
// generated protobuf code.
import { b, vec, key, ME, PEER, PEER_LID, GROUP, mci, media } from './proto-vectors-lib.mjs';

/** Appends the Message vectors. */
export function addMessageVectors() {

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
}
