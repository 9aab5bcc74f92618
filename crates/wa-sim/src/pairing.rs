//! Linking companions, server and phone side, with `wa_proto::pair`.
//!
//! * Registration: a companion whose ClientPayload carries pairing data gets
//!   `<iq xmlns=md><pair-device>` with six refs ([`start_registration`]).
//! * By QR ([`link_qr`]): the control API hands in the QR string the
//!   companion shows; the phone signs its ADV identity and the server sends
//!   `pair-success`.
//! * By code: `companion_hello` ([`handle_md`]) parks the wrapped key; the
//!   phone "types" the code ([`link_code`]), `primary_hello` goes out as a
//!   notification, `companion_finish` yields the ADV secret and the same
//!   `pair-success` follows.
//! * Either way the companion answers `pair-device-sign`; the phone
//!   verifies it, the device is stored and the connection gets
//!   `<stream:error code="515"/>` ([`on_iq_answer`]).

use tokio::sync::oneshot;
use wa_proto::binary::Node;
use wa_proto::jid::Jid;
use wa_proto::keys::PublicKey;
use wa_proto::pair::AdvSecret;
use wa_proto::pair::adv::{DeviceIdentityParams, PhonePairing};
use wa_proto::pair::code::{PairCode, PhoneCodePairing};
use wa_proto::pair::payload::Registration;
use wa_proto::pair::qr::QrData;

use crate::error::{Error, Result};
use crate::handler::iq::{error, result, result_with};
use crate::handler::{Ctx, Handled, Reject, server_jid};
use crate::world::World;
use crate::world::account::{Device, DeviceKeys, Family, SignedKeyPub};
use crate::world::conns::{Addr, ConnId, Out, Session};
use crate::world::queue::{Class, Queue};

/// Number of QR refs issued per registration connection (as the real server).
pub const QR_REFS: usize = 6;

/// Completion of a link: the new device JID, or why it failed.
pub type LinkResult = std::result::Result<Jid, String>;

/// A `pair-success` that waits for the companion's `pair-device-sign`.
#[derive(Debug)]
pub struct PendingLink {
    iq_id: String,
    addr: Addr,
    pairing: PhonePairing,
    done: Option<oneshot::Sender<LinkResult>>,
}

/// Pairing by code, between `companion_hello` and `companion_finish`.
#[derive(Debug)]
pub struct CodeLink {
    phone: String,
    wrapped: Vec<u8>,
    reference: Vec<u8>,
    display: String,
    phone_side: Option<PhoneCodePairing>,
    done: Option<oneshot::Sender<LinkResult>>,
}

/// A companion that registered and waits to be linked.
#[derive(Debug)]
pub struct RegSession {
    noise: PublicKey,
    reg: Registration,
    refs: Vec<String>,
    pending: Option<PendingLink>,
    code: Option<CodeLink>,
}

/// Registers a connection (outbound queue `tx`) as a new companion and
/// sends it `pair-device`.
pub fn start_registration(
    world: &mut World,
    tx: tokio::sync::mpsc::UnboundedSender<Out>,
    noise: PublicKey,
    reg: Registration,
) -> ConnId {
    use base64::Engine;
    use rand::RngExt;
    let refs: Vec<String> = (0..QR_REFS)
        .map(|_| {
            let raw: [u8; 24] = world.rng.random();
            format!(
                "2@{}",
                base64::engine::general_purpose::STANDARD.encode(raw)
            )
        })
        .collect();
    let id = world.next_id();
    let iq = Node::new("iq")
        .with_attr("from", server_jid())
        .with_attr("type", "set")
        .with_attr("id", id)
        .with_attr("xmlns", "md")
        .with_child(
            Node::new("pair-device").with_children(
                refs.iter()
                    .map(|r| Node::new("ref").with_bytes(r.as_bytes().to_vec())),
            ),
        );
    let conn = world.conns.insert(
        tx,
        Session::Registration(Box::new(RegSession {
            noise,
            reg,
            refs,
            pending: None,
            code: None,
        })),
    );
    world.conns.send(conn, Out::Node(iq));
    conn
}

/// The phone of `phone` scans `qr`: signs the companion's identity and
/// sends `pair-success`. The receiver completes when the companion's
/// `pair-device-sign` verified (or pairing failed).
pub fn link_qr(
    world: &mut World,
    phone: &str,
    qr: &str,
    now: u64,
) -> Result<oneshot::Receiver<LinkResult>> {
    let data = QrData::parse(qr).map_err(|e| Error::BadRequest(format!("QR: {e}")))?;
    if world.account(phone).is_none() {
        return Err(Error::NotFound(format!("account {phone}")));
    }
    let conn = world
        .conns
        .registrations_mut()
        .find(|(_, r)| r.refs.contains(&data.reference))
        .map(|(id, r)| {
            (
                id,
                r.noise == data.noise_pub,
                r.reg.keys.identity == data.identity_pub,
            )
        });
    let Some((conn, noise_ok, identity_ok)) = conn else {
        return Err(Error::NotFound("no waiting companion shows this QR".into()));
    };
    if !noise_ok || !identity_ok {
        return Err(Error::BadRequest(
            "QR keys do not match the companion's registration".into(),
        ));
    }
    let (tx, rx) = oneshot::channel();
    send_pair_success(
        world,
        conn,
        phone,
        &data.identity_pub,
        &data.adv_secret,
        Some(tx),
        now,
    )?;
    Ok(rx)
}

/// Reserves a device number and key index, signs the identity and sends
/// `pair-success` on `conn`.
fn send_pair_success(
    world: &mut World,
    conn: ConnId,
    phone: &str,
    companion: &PublicKey,
    adv_secret: &AdvSecret,
    done: Option<oneshot::Sender<LinkResult>>,
    now: u64,
) -> Result<()> {
    let World { accounts, rng, .. } = &mut *world;
    let account = accounts
        .get_mut(phone)
        .ok_or_else(|| Error::NotFound(format!("account {phone}")))?;
    let device = account.next_device;
    let key_index = account.next_key_index;
    account.next_device = account.next_device.saturating_add(1);
    account.next_key_index += 1;
    let params = DeviceIdentityParams::e2ee(account.adv_raw_id, now, key_index);
    let pairing = PhonePairing::sign(
        account.phone_dev.identity(),
        companion,
        adv_secret,
        &params,
        rng,
    )?;
    let addr = Addr::new(phone, device);
    let pn = account.device_jid(Family::Pn, device);
    let lid = account.device_jid(Family::Lid, device);
    world.dirty = true;
    let iq_id = world.next_id();
    let iq = Node::new("iq")
        .with_attr("from", server_jid())
        .with_attr("type", "set")
        .with_attr("id", iq_id.clone())
        .with_attr("xmlns", "md")
        .with_attr("t", now.to_string())
        .with_child(
            Node::new("pair-success").with_children([
                Node::new("device-identity").with_bytes(pairing.device_identity().to_vec()),
                Node::new("platform").with_attr("name", "android"),
                Node::new("device")
                    .with_attr("jid", pn)
                    .with_attr("lid", lid),
            ]),
        );
    let Some(Session::Registration(reg)) = world.conns.get_mut(conn).map(|e| &mut e.session) else {
        return Err(Error::NotFound("the companion disconnected".into()));
    };
    reg.pending = Some(PendingLink {
        iq_id,
        addr,
        pairing,
        done,
    });
    world.conns.send(conn, Out::Node(iq));
    Ok(())
}

/// A `result`/`error` iq from the client: the answer to `pair-success`
/// (`pair-device-sign`) completes the link; others are ignored.
pub fn on_iq_answer(ctx: &mut Ctx<'_>, node: &Node) -> Handled {
    let id = node.attr_text("id").unwrap_or_default().into_owned();
    let Some(Session::Registration(reg)) =
        ctx.world.conns.get_mut(ctx.conn).map(|e| &mut e.session)
    else {
        return Ok(());
    };
    if reg.pending.as_ref().is_none_or(|p| p.iq_id != id) {
        return Ok(());
    }
    let Some(mut pending) = reg.pending.take() else {
        return Ok(());
    };
    let noise = reg.noise;
    let keys = reg.reg.keys.clone();
    let platform = reg
        .code
        .as_ref()
        .map(|c| c.display.clone())
        .or_else(|| reg.reg.device_props.as_ref().and_then(|p| p.os.clone()))
        .unwrap_or_default();
    let sign = node.child_path(&["pair-device-sign", "device-identity"]);
    let verified = match sign.and_then(|d| d.bytes().map(|b| (b, d.attr_text("key-index")))) {
        Some((bytes, key_index)) => pending
            .pairing
            .verify_reply(bytes, key_index.as_deref())
            .map_err(|e| e.to_string()),
        None => Err("no pair-device-sign in the answer".to_owned()),
    };
    let done = pending.done.take();
    let verified = match verified {
        Ok(v) => v,
        Err(e) => {
            tracing::info!(error = %e, "pair-device-sign rejected");
            if let Some(d) = done {
                let _ = d.send(Err(e));
            }
            return Err(Reject("bad pair-device-sign"));
        }
    };
    let addr = pending.addr.clone();
    let device = Device {
        id: addr.device,
        noise_key: noise,
        keys: DeviceKeys {
            registration_id: keys.registration_id,
            identity: keys.identity,
            signed: SignedKeyPub {
                id: keys.signed_prekey_id,
                key: keys.signed_prekey,
                signature: keys.signed_prekey_signature,
            },
            prekeys: Default::default(),
        },
        key_index: verified.key_index,
        signed_identity: verified.identity_bytes(),
        platform,
        linked_at: ctx.now,
        queue: Queue::default(),
        bootstrapped: false,
    };
    let others = ctx.world.companions(&addr.phone);
    let Some(account) = ctx.world.account_mut(&addr.phone) else {
        return Ok(());
    };
    account.devices.insert(addr.device, device);
    let jid = account.device_jid(Family::Pn, addr.device);
    let lid = account.device_jid(Family::Lid, addr.device);
    let user = account.user_jid(Family::Pn);
    ctx.world.dirty = true;
    for other in others {
        let id = ctx.world.next_id();
        let n = Node::new("notification")
            .with_attr("from", user.clone())
            .with_attr("type", "devices")
            .with_attr("id", id)
            .with_attr("t", ctx.now.to_string())
            .with_child(
                Node::new("add").with_child(
                    Node::new("device")
                        .with_attr("jid", jid.clone())
                        .with_attr("lid", lid.clone())
                        .with_attr("key-index", verified.key_index.to_string()),
                ),
            );
        ctx.world.deliver(&other, Class::Notification, n);
    }
    ctx.world.conns.send(
        ctx.conn,
        Out::Close(Some(Node::new("stream:error").with_attr("code", "515"))),
    );
    if let Some(d) = done {
        let _ = d.send(Ok(jid));
    }
    Ok(())
}

/// The `md` namespace: pairing by code and device removal.
pub fn handle_md(ctx: &mut Ctx<'_>, node: &Node) -> Handled {
    if let Some(reg) = node.child("link_code_companion_reg") {
        let stage = reg.attr_text("stage").unwrap_or_default().into_owned();
        return match stage.as_str() {
            "companion_hello" => companion_hello(ctx, node, reg),
            "companion_finish" => companion_finish(ctx, node, reg),
            _ => {
                ctx.reply(error(node, 400, "bad-request"));
                Ok(())
            }
        };
    }
    if let Some(rm) = node.child("remove-companion-device") {
        return remove_device(ctx, node, rm);
    }
    ctx.reply(error(node, 400, "bad-request"));
    Ok(())
}

fn companion_hello(ctx: &mut Ctx<'_>, node: &Node, reg: &Node) -> Handled {
    let phone = reg.attr_jid("jid").map(|j| j.user);
    let wrapped = reg
        .child("link_code_pairing_wrapped_companion_ephemeral_pub")
        .and_then(Node::bytes)
        .map(<[u8]>::to_vec);
    let display = reg
        .child("companion_platform_display")
        .and_then(Node::bytes)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let (Some(phone), Some(wrapped)) = (phone, wrapped) else {
        ctx.reply(error(node, 400, "bad-request"));
        return Ok(());
    };
    if ctx.world.account(&phone).is_none() {
        ctx.reply(error(node, 404, "item-not-found"));
        return Ok(());
    }
    let reference: Vec<u8> = {
        use rand::RngExt;
        let raw: [u8; 16] = ctx.world.rng.random();
        hex::encode(raw).into_bytes()
    };
    let Some(Session::Registration(r)) = ctx.world.conns.get_mut(ctx.conn).map(|e| &mut e.session)
    else {
        return Err(Reject("companion_hello outside registration"));
    };
    r.code = Some(CodeLink {
        phone,
        wrapped,
        reference: reference.clone(),
        display,
        phone_side: None,
        done: None,
    });
    ctx.reply(result_with(
        node,
        Node::new("link_code_companion_reg")
            .with_child(Node::new("link_code_pairing_ref").with_bytes(reference)),
    ));
    Ok(())
}

/// Finds the registration connection waiting for a code on `phone` and the
/// wrapped companion key it sent (step 1 of [`link_code`], under the lock).
pub fn code_waiting(world: &mut World, phone: &str) -> Result<(ConnId, Vec<u8>)> {
    if world.account(phone).is_none() {
        return Err(Error::NotFound(format!("account {phone}")));
    }
    world
        .conns
        .registrations_mut()
        .filter_map(|(id, r)| {
            r.code
                .as_ref()
                .filter(|c| c.phone == phone)
                .map(|c| (id, c.wrapped.clone()))
        })
        .max_by_key(|(id, _)| *id)
        .ok_or_else(|| {
            Error::NotFound(format!("no companion waits for a pairing code for {phone}"))
        })
}

/// The phone "types" `code` (step 2, outside the lock: PBKDF2 is slow).
pub fn code_unwrap(code: &str, wrapped: &[u8]) -> Result<PhoneCodePairing> {
    let code = PairCode::parse(code).map_err(|e| Error::BadRequest(format!("code: {e}")))?;
    let mut rng = rand::rng();
    Ok(PhoneCodePairing::start(&code, wrapped, &mut rng)?)
}

/// Sends `primary_hello` (step 3, under the lock); the receiver completes
/// when the device is linked.
pub fn link_code(
    world: &mut World,
    conn: ConnId,
    phone_side: PhoneCodePairing,
    now: u64,
) -> Result<oneshot::Receiver<LinkResult>> {
    let phone = match world.conns.get(conn).map(|e| &e.session) {
        Some(Session::Registration(r)) => r.code.as_ref().map(|c| c.phone.clone()),
        _ => None,
    }
    .ok_or_else(|| Error::NotFound("the companion disconnected".into()))?;
    let identity = world
        .account(&phone)
        .map(|a| a.phone_dev.identity().public)
        .ok_or_else(|| Error::NotFound(format!("account {phone}")))?;
    let id = world.next_id();
    let wrapped = phone_side.wrapped_ephemeral().to_vec();
    let (tx, rx) = oneshot::channel();
    let Some(Session::Registration(r)) = world.conns.get_mut(conn).map(|e| &mut e.session) else {
        return Err(Error::NotFound("the companion disconnected".into()));
    };
    let Some(code) = r.code.as_mut() else {
        return Err(Error::NotFound("the companion disconnected".into()));
    };
    code.phone_side = Some(phone_side);
    code.done = Some(tx);
    let n = Node::new("notification")
        .with_attr("from", server_jid())
        .with_attr("type", "link_code_companion_reg")
        .with_attr("id", id)
        .with_attr("t", now.to_string())
        .with_child(
            Node::new("link_code_companion_reg")
                .with_attr("stage", "primary_hello")
                .with_children([
                    Node::new("link_code_pairing_ref").with_bytes(code.reference.clone()),
                    Node::new("primary_identity_pub").with_bytes(identity.as_bytes().to_vec()),
                    Node::new("link_code_pairing_wrapped_primary_ephemeral_pub")
                        .with_bytes(wrapped),
                ]),
        );
    world.conns.send(conn, Out::Node(n));
    Ok(rx)
}

fn companion_finish(ctx: &mut Ctx<'_>, node: &Node, reg: &Node) -> Handled {
    let bundle = reg
        .child("link_code_pairing_wrapped_key_bundle")
        .and_then(Node::bytes);
    let companion = reg
        .child("companion_identity_public")
        .and_then(Node::bytes)
        .and_then(|b| PublicKey::from_bytes(b).ok());
    let Some(Session::Registration(r)) = ctx.world.conns.get_mut(ctx.conn).map(|e| &mut e.session)
    else {
        return Err(Reject("companion_finish outside registration"));
    };
    let registered_identity = r.reg.keys.identity;
    let Some(code) = r.code.as_mut() else {
        ctx.reply(error(node, 400, "bad-request"));
        return Ok(());
    };
    let (Some(bundle), Some(companion), Some(phone_side)) =
        (bundle, companion, code.phone_side.take())
    else {
        ctx.reply(error(node, 400, "bad-request"));
        return Ok(());
    };
    let phone = code.phone.clone();
    let done = code.done.take();
    ctx.reply(result(node));
    let finish = ctx
        .world
        .account(&phone)
        .ok_or(Error::NotFound(phone.clone()))
        .and_then(|a| Ok(phone_side.finish(a.phone_dev.identity(), bundle, &companion)?));
    let fail = |done: Option<oneshot::Sender<LinkResult>>, e: String| {
        if let Some(d) = done {
            let _ = d.send(Err(e));
        }
    };
    match finish {
        Ok(f) if f.companion_identity == registered_identity => {
            if let Err(e) = send_pair_success(
                ctx.world,
                ctx.conn,
                &phone,
                &f.companion_identity,
                &f.adv_secret,
                done,
                ctx.now,
            ) {
                tracing::debug!(error = %e, "pair-success by code failed");
            }
        }
        Ok(_) => fail(
            done,
            "companion identity differs from its registration".into(),
        ),
        Err(e) => fail(done, e.to_string()),
    }
    Ok(())
}

fn remove_device(ctx: &mut Ctx<'_>, node: &Node, rm: &Node) -> Handled {
    let me = ctx.device()?.addr;
    let target = rm.attr_jid("jid").and_then(|j| ctx.world.resolve(&j));
    let Some(target) = target.filter(|t| t.phone == me.phone && t.device != 0) else {
        ctx.reply(error(node, 404, "item-not-found"));
        return Ok(());
    };
    ctx.reply(result(node));
    // A logging-out companion gets its result, then the same 401
    // `device_removed` stream error as a phone-side unlink (Baileys has
    // closed by then; whatsmeow reads the result first).
    remove_companion(ctx.world, &target, ctx.now, None);
    Ok(())
}

/// Unlinks a companion: forgets it, tells the account's other companions
/// and ends its live connection with `401 device_removed` (unless that
/// connection is `requester`, which closes itself).
pub fn remove_companion(world: &mut World, target: &Addr, now: u64, requester: Option<ConnId>) {
    let Some(account) = world.account_mut(&target.phone) else {
        return;
    };
    if account.devices.remove(&target.device).is_none() {
        return;
    }
    let jid = account.device_jid(Family::Pn, target.device);
    let user = account.user_jid(Family::Pn);
    world.dirty = true;
    world.presence.forget_device(target);
    if let Some(conn) = world.conns.of_device(target)
        && Some(conn) != requester
    {
        let err = Node::new("stream:error")
            .with_attr("code", "401")
            .with_child(Node::new("conflict").with_attr("type", "device_removed"));
        world.conns.send(conn, Out::Close(Some(err)));
    }
    for other in world.companions(&target.phone) {
        let id = world.next_id();
        let n = Node::new("notification")
            .with_attr("from", user.clone())
            .with_attr("type", "devices")
            .with_attr("id", id)
            .with_attr("t", now.to_string())
            .with_child(
                Node::new("remove").with_child(Node::new("device").with_attr("jid", jid.clone())),
            );
        world.deliver(&other, Class::Notification, n);
    }
}
