// Stored-message, history-sync and app-state vectors (see proto-vectors.mjs),
// encoded with Baileys' generated protobuf code.
import { b, vec, key, ME, PEER, PEER_LID, GROUP, mci, media } from './proto-vectors-lib.mjs';

/** Appends the WebMessageInfo, HistorySync and app-state vectors. */
export function addStateVectors() {
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
}
