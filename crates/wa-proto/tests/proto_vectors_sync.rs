//! Typed assertions for the app-state vectors Baileys encoded: one
//! SyncActionValue per declared action, SyncActionData, and the syncd
//! patch/snapshot/mutation containers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod proto_support;

use prost::Message as _;
use proto_support::{Vector, check_key, vector, vectors_of};
use wa_proto::proto::wa::{self, sync_action_value as sav};

fn check_range(r: &sav::SyncActionMessageRange, v: &Vector, p: &str) {
    assert_eq!(
        r.last_message_timestamp(),
        v.i(&format!("{p}.lastMessageTimestamp"))
    );
    let sys = r.last_system_message_timestamp();
    assert_eq!(sys, v.i(&format!("{p}.lastSystemMessageTimestamp")));
    assert_eq!(r.messages.len(), v.len(&format!("{p}.messages")));
    for (i, m) in r.messages.iter().enumerate() {
        check_key(
            m.key.as_ref().expect("key"),
            v,
            &format!("{p}.messages.{i}.key"),
        );
        assert_eq!(m.timestamp(), v.i(&format!("{p}.messages.{i}.timestamp")));
    }
}

fn check_sticker(s: &sav::StickerAction, v: &Vector, p: &str) {
    assert_eq!(s.url(), v.s(&format!("{p}.url")));
    assert_eq!(
        s.file_enc_sha256(),
        v.bytes_at(&format!("{p}.fileEncSha256"))
    );
    assert_eq!(s.media_key(), v.bytes_at(&format!("{p}.mediaKey")));
    assert_eq!(s.mimetype(), v.s(&format!("{p}.mimetype")));
    assert_eq!(u64::from(s.height()), v.u(&format!("{p}.height")));
    assert_eq!(s.direct_path(), v.s(&format!("{p}.directPath")));
    assert_eq!(s.file_length(), v.u(&format!("{p}.fileLength")));
    assert_eq!(s.is_favorite(), v.b(&format!("{p}.isFavorite")));
    assert_eq!(
        u64::from(s.device_id_hint()),
        v.u(&format!("{p}.deviceIdHint"))
    );
    assert_eq!(s.image_hash(), v.s(&format!("{p}.imageHash")));
}

/// Asserts the one action of a `sync_action_<field>` vector.
#[allow(clippy::too_many_lines)]
fn check_action(a: &wa::SyncActionValue, v: &Vector, field: &str) {
    let p = |f: &str| format!("{field}.{f}");
    match field {
        "starAction" => assert_eq!(
            a.star_action.as_ref().expect(field).starred(),
            v.b(&p("starred"))
        ),
        "contactAction" => {
            let c = a.contact_action.as_ref().expect(field);
            assert_eq!(c.full_name(), v.s(&p("fullName")));
            assert_eq!(c.first_name(), v.s(&p("firstName")));
            assert_eq!(c.lid_jid(), v.s(&p("lidJid")));
            assert_eq!(
                c.save_on_primary_addressbook(),
                v.b(&p("saveOnPrimaryAddressbook"))
            );
            assert_eq!(c.pn_jid(), v.s(&p("pnJid")));
            assert_eq!(c.username(), v.s(&p("username")));
        }
        "muteAction" => {
            let m = a.mute_action.as_ref().expect(field);
            assert_eq!(m.muted(), v.b(&p("muted")));
            assert_eq!(m.mute_end_timestamp(), v.i(&p("muteEndTimestamp")));
            assert_eq!(m.auto_muted, Some(false));
        }
        "pinAction" => assert_eq!(
            a.pin_action.as_ref().expect(field).pinned(),
            v.b(&p("pinned"))
        ),
        "pushNameSetting" => assert_eq!(
            a.push_name_setting.as_ref().expect(field).name(),
            v.s(&p("name"))
        ),
        "quickReplyAction" => {
            let q = a.quick_reply_action.as_ref().expect(field);
            assert_eq!(q.shortcut(), v.s(&p("shortcut")));
            assert_eq!(q.message(), v.s(&p("message")));
            assert_eq!(q.keywords, v.strings(&p("keywords")));
            assert_eq!(i64::from(q.count()), v.i(&p("count")));
            assert_eq!(q.deleted(), v.b(&p("deleted")));
        }
        "recentEmojiWeightsAction" => {
            let w = &a.recent_emoji_weights_action.as_ref().expect(field).weights;
            assert_eq!(w.len(), v.len(&p("weights")));
            for (i, e) in w.iter().enumerate() {
                assert_eq!(e.emoji(), v.s(&p(&format!("weights.{i}.emoji"))));
                assert_eq!(
                    f64::from(e.weight()),
                    v.f(&p(&format!("weights.{i}.weight")))
                );
            }
        }
        "labelEditAction" => {
            let l = a.label_edit_action.as_ref().expect(field);
            assert_eq!(l.name(), v.s(&p("name")));
            assert_eq!(l.color(), -1, "negative int32 survives");
            assert_eq!(i64::from(l.color()), v.i(&p("color")));
            assert_eq!(i64::from(l.predefined_id()), v.i(&p("predefinedId")));
            assert_eq!(l.deleted(), v.b(&p("deleted")));
            assert_eq!(i64::from(l.order_index()), v.i(&p("orderIndex")));
            assert_eq!(l.is_active(), v.b(&p("isActive")));
            assert_eq!(l.r#type().as_str_name(), v.s(&p("type")));
            assert_eq!(l.is_immutable(), v.b(&p("isImmutable")));
            assert_eq!(l.mute_end_time_ms(), v.i(&p("muteEndTimeMs")));
        }
        "labelAssociationAction" => {
            assert_eq!(
                a.label_association_action.as_ref().expect(field).labeled(),
                v.b(&p("labeled"))
            );
        }
        "localeSetting" => assert_eq!(
            a.locale_setting.as_ref().expect(field).locale(),
            v.s(&p("locale"))
        ),
        "archiveChatAction" => {
            let x = a.archive_chat_action.as_ref().expect(field);
            assert_eq!(x.archived(), v.b(&p("archived")));
            check_range(
                x.message_range.as_ref().expect("range"),
                v,
                &p("messageRange"),
            );
        }
        "deleteMessageForMeAction" => {
            let x = a.delete_message_for_me_action.as_ref().expect(field);
            assert_eq!(x.delete_media(), v.b(&p("deleteMedia")));
            assert_eq!(x.message_timestamp(), -1, "negative int64 survives");
            assert_eq!(x.message_timestamp(), v.i(&p("messageTimestamp")));
        }
        "keyExpiration" => {
            let e = a.key_expiration.as_ref().expect(field).expired_key_epoch();
            assert_eq!(i64::from(e), v.i(&p("expiredKeyEpoch")));
        }
        "markChatAsReadAction" => {
            let x = a.mark_chat_as_read_action.as_ref().expect(field);
            assert_eq!(x.read, Some(false));
            assert_eq!(x.read(), v.b(&p("read")));
            check_range(
                x.message_range.as_ref().expect("range"),
                v,
                &p("messageRange"),
            );
        }
        "clearChatAction" => {
            let r = a
                .clear_chat_action
                .as_ref()
                .expect(field)
                .message_range
                .as_ref();
            check_range(r.expect("range"), v, &p("messageRange"));
        }
        "deleteChatAction" => {
            let r = a
                .delete_chat_action
                .as_ref()
                .expect(field)
                .message_range
                .as_ref();
            check_range(r.expect("range"), v, &p("messageRange"));
        }
        "unarchiveChatsSetting" => {
            let x = a.unarchive_chats_setting.as_ref().expect(field);
            assert_eq!(x.unarchive_chats, Some(false));
            assert_eq!(x.unarchive_chats(), v.b(&p("unarchiveChats")));
        }
        "primaryFeature" => assert_eq!(
            a.primary_feature.as_ref().expect(field).flags,
            v.strings(&p("flags"))
        ),
        "androidUnsupportedActions" => {
            assert_eq!(
                a.android_unsupported_actions
                    .as_ref()
                    .expect(field)
                    .allowed(),
                v.b(&p("allowed"))
            );
        }
        "agentAction" => {
            let x = a.agent_action.as_ref().expect(field);
            assert_eq!(x.name(), v.s(&p("name")));
            assert_eq!(i64::from(x.device_id()), v.i(&p("deviceID")));
            assert_eq!(x.is_deleted(), v.b(&p("isDeleted")));
        }
        "subscriptionAction" => {
            let x = a.subscription_action.as_ref().expect(field);
            assert_eq!(x.is_deactivated(), v.b(&p("isDeactivated")));
            assert_eq!(x.is_auto_renewing(), v.b(&p("isAutoRenewing")));
            assert_eq!(x.expiration_date(), v.i(&p("expirationDate")));
        }
        "userStatusMuteAction" => assert_eq!(
            a.user_status_mute_action.as_ref().expect(field).muted(),
            v.b(&p("muted"))
        ),
        "timeFormatAction" => {
            let x = a.time_format_action.as_ref().expect(field);
            assert_eq!(
                x.is_twenty_four_hour_format_enabled(),
                v.b(&p("isTwentyFourHourFormatEnabled"))
            );
        }
        "nuxAction" => assert_eq!(
            a.nux_action.as_ref().expect(field).acknowledged(),
            v.b(&p("acknowledged"))
        ),
        "primaryVersionAction" => {
            assert_eq!(
                a.primary_version_action.as_ref().expect(field).version(),
                v.s(&p("version"))
            );
        }
        "stickerAction" => check_sticker(a.sticker_action.as_ref().expect(field), v, field),
        "removeRecentStickerAction" => {
            let x = a.remove_recent_sticker_action.as_ref().expect(field);
            assert_eq!(x.last_sticker_sent_ts(), v.i(&p("lastStickerSentTs")));
        }
        "chatAssignment" => {
            assert_eq!(
                a.chat_assignment.as_ref().expect(field).device_agent_id(),
                v.s(&p("deviceAgentID"))
            );
        }
        "chatAssignmentOpenedStatus" => {
            let x = a.chat_assignment_opened_status.as_ref().expect(field);
            assert_eq!(x.chat_opened(), v.b(&p("chatOpened")));
        }
        "pnForLidChatAction" => assert_eq!(
            a.pn_for_lid_chat_action.as_ref().expect(field).pn_jid(),
            v.s(&p("pnJid"))
        ),
        "externalWebBetaAction" => {
            assert_eq!(
                a.external_web_beta_action
                    .as_ref()
                    .expect(field)
                    .is_opt_in(),
                v.b(&p("isOptIn"))
            );
        }
        "privacySettingRelayAllCalls" => {
            let x = a.privacy_setting_relay_all_calls.as_ref().expect(field);
            assert_eq!(x.is_enabled(), v.b(&p("isEnabled")));
        }
        "statusPrivacy" => {
            let x = a.status_privacy.as_ref().expect(field);
            assert_eq!(x.mode().as_str_name(), v.s(&p("mode")));
            assert_eq!(x.user_jid, v.strings(&p("userJid")));
        }
        "botWelcomeRequestAction" => {
            assert_eq!(
                a.bot_welcome_request_action
                    .as_ref()
                    .expect(field)
                    .is_sent(),
                v.b(&p("isSent"))
            );
        }
        "deleteIndividualCallLog" => {
            let x = a.delete_individual_call_log.as_ref().expect(field);
            assert_eq!(x.peer_jid(), v.s(&p("peerJid")));
            assert_eq!(x.is_incoming(), v.b(&p("isIncoming")));
        }
        "labelReorderingAction" => {
            let ids = &a
                .label_reordering_action
                .as_ref()
                .expect(field)
                .sorted_label_ids;
            let expected: Vec<i64> = (0..v.len(&p("sortedLabelIds")))
                .map(|i| v.i(&p(&format!("sortedLabelIds.{i}"))))
                .collect();
            assert_eq!(
                ids.iter().map(|&x| i64::from(x)).collect::<Vec<_>>(),
                expected
            );
        }
        "lockChatAction" => assert_eq!(
            a.lock_chat_action.as_ref().expect(field).locked(),
            v.b(&p("locked"))
        ),
        "chatLockSettings" => {
            let x = a.chat_lock_settings.as_ref().expect(field);
            assert_eq!(x.hide_locked_chats(), v.b(&p("hideLockedChats")));
            let code = x.secret_code.as_ref().expect("secretCode");
            assert_eq!(
                code.encoding().as_str_name(),
                v.s(&p("secretCode.encoding"))
            );
            assert_eq!(
                code.transformer().as_str_name(),
                v.s(&p("secretCode.transformer"))
            );
            assert_eq!(
                code.transformed_data(),
                v.bytes_at(&p("secretCode.transformedData"))
            );
        }
        "wamoUserIdentifierAction" => {
            let x = a.wamo_user_identifier_action.as_ref().expect(field);
            assert_eq!(x.identifier(), v.s(&p("identifier")));
        }
        "privacySettingDisableLinkPreviewsAction" => {
            let x = a
                .privacy_setting_disable_link_previews_action
                .as_ref()
                .expect(field);
            assert_eq!(x.is_previews_disabled(), v.b(&p("isPreviewsDisabled")));
        }
        "deviceCapabilities" => {
            let x = a.device_capabilities.as_ref().expect(field);
            assert_eq!(
                x.chat_lock_support_level().as_str_name(),
                v.s(&p("chatLockSupportLevel"))
            );
            let lid = x
                .lid_migration
                .as_ref()
                .expect("lidMigration")
                .chat_db_migration_timestamp();
            assert_eq!(lid, v.u(&p("lidMigration.chatDbMigrationTimestamp")));
            let bb = x
                .business_broadcast
                .as_ref()
                .expect("businessBroadcast")
                .import_list_enabled();
            assert_eq!(bb, v.b(&p("businessBroadcast.importListEnabled")));
            let av = x
                .user_has_avatar
                .as_ref()
                .expect("userHasAvatar")
                .user_has_avatar();
            assert_eq!(av, v.b(&p("userHasAvatar.userHasAvatar")));
            let tag = x.member_name_tag_primary_support().as_str_name();
            assert_eq!(tag, v.s(&p("memberNameTagPrimarySupport")));
        }
        "favoritesAction" => {
            let f = &a.favorites_action.as_ref().expect(field).favorites;
            assert_eq!(f.len(), v.len(&p("favorites")));
            for (i, x) in f.iter().enumerate() {
                assert_eq!(x.id(), v.s(&p(&format!("favorites.{i}.id"))));
            }
        }
        "waffleAccountLinkStateAction" => {
            let x = a.waffle_account_link_state_action.as_ref().expect(field);
            assert_eq!(x.link_state().as_str_name(), v.s(&p("linkState")));
        }
        "notificationActivitySettingAction" => {
            let x = a
                .notification_activity_setting_action
                .as_ref()
                .expect(field);
            let s = x.notification_activity_setting().as_str_name();
            assert_eq!(s, v.s(&p("notificationActivitySetting")));
        }
        "lidContactAction" => {
            let x = a.lid_contact_action.as_ref().expect(field);
            assert_eq!(x.full_name(), v.s(&p("fullName")));
            assert_eq!(x.first_name(), v.s(&p("firstName")));
            assert_eq!(x.username(), v.s(&p("username")));
        }
        "ctwaPerCustomerDataSharingAction" => {
            let x = a
                .ctwa_per_customer_data_sharing_action
                .as_ref()
                .expect(field);
            let e = x.is_ctwa_per_customer_data_sharing_enabled();
            assert_eq!(e, v.b(&p("isCtwaPerCustomerDataSharingEnabled")));
        }
        "privacySettingChannelsPersonalisedRecommendationAction" => {
            let x = a
                .privacy_setting_channels_personalised_recommendation_action
                .as_ref()
                .expect(field);
            assert_eq!(x.is_user_opted_out(), v.b(&p("isUserOptedOut")));
        }
        "businessBroadcastAssociationAction" => {
            let x = a
                .business_broadcast_association_action
                .as_ref()
                .expect(field);
            assert_eq!(x.deleted, Some(false));
            assert_eq!(x.deleted(), v.b(&p("deleted")));
        }
        "detectedOutcomesStatusAction" => {
            let x = a.detected_outcomes_status_action.as_ref().expect(field);
            assert_eq!(x.is_enabled(), v.b(&p("isEnabled")));
        }
        "maibaAiFeaturesControlAction" => {
            let x = a.maiba_ai_features_control_action.as_ref().expect(field);
            assert_eq!(
                x.ai_feature_status().as_str_name(),
                v.s(&p("aiFeatureStatus"))
            );
        }
        "statusPostOptInNotificationPreferencesAction" => {
            let x = a
                .status_post_opt_in_notification_preferences_action
                .as_ref()
                .expect(field);
            assert_eq!(x.enabled(), v.b(&p("enabled")));
        }
        "avatarUpdatedAction" => {
            let x = a.avatar_updated_action.as_ref().expect(field);
            assert_eq!(x.event_type().as_str_name(), v.s(&p("eventType")));
            check_sticker(
                &x.recent_avatar_stickers[0],
                v,
                &p("recentAvatarStickers.0"),
            );
        }
        "privateProcessingSettingAction" => {
            let x = a.private_processing_setting_action.as_ref().expect(field);
            let s = x.private_processing_status().as_str_name();
            assert_eq!(s, v.s(&p("privateProcessingStatus")));
        }
        "newsletterSavedInterestsAction" => {
            let x = a.newsletter_saved_interests_action.as_ref().expect(field);
            assert_eq!(
                x.newsletter_saved_interests(),
                v.s(&p("newsletterSavedInterests"))
            );
        }
        "aiThreadRenameAction" => {
            let x = a.ai_thread_rename_action.as_ref().expect(field);
            assert_eq!(x.new_title(), v.s(&p("newTitle")));
        }
        other => panic!("no typed assertions for sync action {other}"),
    }
}

fn check_record(r: &wa::SyncdRecord, v: &Vector, p: &str) {
    let index = r.index.as_ref().expect("index").blob();
    assert_eq!(index, v.bytes_at(&format!("{p}.index.blob")));
    let value = r.value.as_ref().expect("value").blob();
    assert_eq!(value, v.bytes_at(&format!("{p}.value.blob")));
    // value = iv (16) ‖ ciphertext (here: the sync_action_data vector) ‖ mac (32)
    let data = &value[16..value.len() - 32];
    assert_eq!(data, vector("sync_action_data").bytes);
    assert_eq!(
        r.key_id.as_ref().expect("keyId").id(),
        v.bytes_at(&format!("{p}.keyId.id"))
    );
}

#[test]
fn sync_action_vectors_decode_to_baileys_values() {
    let mut actions = 0;
    for v in vectors_of(&["SyncActionValue"]) {
        let a: wa::SyncActionValue = v.decode();
        assert_eq!(a.timestamp(), v.i("timestamp"));
        let field = v
            .name
            .strip_prefix("sync_action_")
            .expect("sync_action_ prefix");
        check_action(&a, v, field);
        // Exactly one action: clearing the timestamp, only the action remains,
        // and the action alone is the rest of Baileys' bytes.
        let mut only_action = a.clone();
        only_action.timestamp = None;
        let ts = u64::try_from(a.timestamp()).expect("positive timestamp");
        let ts_len = prost::encoding::key_len(1) + prost::encoding::encoded_len_varint(ts);
        let expected_len = v.bytes.len() - ts_len;
        assert_eq!(
            only_action.encoded_len(),
            expected_len,
            "{}: more than the action",
            v.name
        );
        actions += 1;
    }
    assert!(actions >= 55, "only {actions} sync actions");
}

#[test]
fn syncd_container_vectors_decode_to_baileys_values() {
    let v = vector("sync_action_data");
    let d: wa::SyncActionData = v.decode();
    let index: Vec<String> = serde_json::from_slice(d.index()).expect("JSON index");
    assert_eq!(index, ["mute", "4915112345678@s.whatsapp.net"]);
    assert_eq!(d.index(), v.bytes_at("index"));
    let value = d.value.as_ref().expect("value");
    assert_eq!(value.timestamp(), v.i("value.timestamp"));
    let mute = value.mute_action.as_ref().expect("muteAction");
    assert_eq!(mute.mute_end_timestamp(), -1);
    assert_eq!(
        mute.mute_end_timestamp(),
        v.i("value.muteAction.muteEndTimestamp")
    );
    assert_eq!(d.padding(), v.bytes_at("padding"));
    assert_eq!(i64::from(d.version()), v.i("version"));

    let v = vector("syncd_patch");
    let p: wa::SyncdPatch = v.decode();
    assert_eq!(
        p.version.as_ref().expect("version").version(),
        v.u("version.version")
    );
    assert_eq!(p.mutations.len(), 2);
    for (i, m) in p.mutations.iter().enumerate() {
        assert_eq!(
            m.operation().as_str_name(),
            v.s(&format!("mutations.{i}.operation"))
        );
        check_record(
            m.record.as_ref().expect("record"),
            v,
            &format!("mutations.{i}.record"),
        );
    }
    assert_eq!(
        p.mutations[0].operation,
        Some(0),
        "SET (0) is written explicitly"
    );
    assert_eq!(p.snapshot_mac(), v.bytes_at("snapshotMac"));
    assert_eq!(p.patch_mac(), v.bytes_at("patchMac"));
    assert_eq!(
        p.key_id.as_ref().expect("keyId").id(),
        v.bytes_at("keyId.id")
    );
    assert_eq!(u64::from(p.device_index()), v.u("deviceIndex"));

    let v = vector("syncd_patch_external");
    let p: wa::SyncdPatch = v.decode();
    let ext = p.external_mutations.as_ref().expect("externalMutations");
    assert_eq!(ext.media_key(), v.bytes_at("externalMutations.mediaKey"));
    assert_eq!(ext.direct_path(), v.s("externalMutations.directPath"));
    assert_eq!(ext.handle(), v.s("externalMutations.handle"));
    assert_eq!(
        ext.file_size_bytes(),
        v.u("externalMutations.fileSizeBytes")
    );
    assert_eq!(
        ext.file_sha256(),
        v.bytes_at("externalMutations.fileSha256")
    );
    assert_eq!(
        ext.file_enc_sha256(),
        v.bytes_at("externalMutations.fileEncSha256")
    );
    let exit = p.exit_code.as_ref().expect("exitCode");
    assert_eq!(exit.code(), u64::MAX);
    assert_eq!(exit.code(), v.u("exitCode.code"));
    assert_eq!(exit.text(), v.s("exitCode.text"));
    assert!(p.mutations.is_empty());

    let v = vector("syncd_mutations");
    let m: wa::SyncdMutations = v.decode();
    assert_eq!(m.mutations.len(), 1);
    check_record(
        m.mutations[0].record.as_ref().expect("record"),
        v,
        "mutations.0.record",
    );

    let v = vector("syncd_snapshot");
    let s: wa::SyncdSnapshot = v.decode();
    assert_eq!(
        s.version.as_ref().expect("version").version(),
        v.u("version.version")
    );
    assert_eq!(s.records.len(), 2);
    for (i, r) in s.records.iter().enumerate() {
        check_record(r, v, &format!("records.{i}"));
    }
    assert_eq!(s.mac(), v.bytes_at("mac"));
    assert_eq!(
        s.key_id.as_ref().expect("keyId").id(),
        v.bytes_at("keyId.id")
    );
}
