// wa-sim scenario: groups. An unmodified Baileys client (a) exchanges
// messages (sender keys) in a group created through POST /sim/groups with
// two virtual phones: its text reaches BOTH phones' inboxes decrypted, and
// each phone's text reaches Baileys decrypted; (b) creates a group with
// groupCreate, renames it with groupUpdateSubject, and GET /sim/groups/{jid}
// shows the new subject and the participants; groupMetadata returns what
// the sim holds; group receipts and w:gp2 notifications reach Baileys.
import { setup, step, run, assert, assertEq, linkByQr, waitUntil, textOf } from './sim-lib.mjs'

run(async () => {
  const ctx = await setup()
  const { api } = ctx
  const alice = '6281266660001'
  const bob = '6281266660002'
  const carol = '6281266660003'
  const pn = (p) => `${p}@s.whatsapp.net`
  const bobInfo = await api.createAccount(bob, 'Bob')
  const carolInfo = await api.createAccount(carol, 'Carol')
  const { client } = await step('link Alice by QR', () => linkByQr(ctx, alice, 'Alice'))
  const sock = client.sock
  const upserts = []
  const groupUpdates = []
  sock.ev.on('groups.upsert', (gs) => upserts.push(...gs))
  sock.ev.on('groups.update', (gs) => groupUpdates.push(...gs))
  const receipts = []
  sock.ev.on('message-receipt.update', (rs) => receipts.push(...rs))

  const inboxHas = (phone, chat, text) =>
    waitUntil(async () => (await api.inbox(phone)).find((e) => e.chat === chat && e.text === text), 10000, `${phone}'s inbox: "${text}" in ${chat}`)

  const gjid = await step('group created through the control API reaches Baileys', async () => {
    const { jid } = await api.createGroup('Sim Team', bob, [alice, carol])
    assert(/^120363\d+@g\.us$/.test(jid), 'group jid ' + jid)
    const up = await waitUntil(() => upserts.find((g) => g.id === jid), 10000, 'groups.upsert from the <create> notification')
    assertEq(up.subject, 'Sim Team', 'subject in the create notification')
    assertEq(up.participants.length, 3, 'participants in the create notification')
    const info = await api.group(jid)
    assertEq(info.owner, pn(bob), 'owner')
    assertEq(info.participants.map((p) => [p.jid, p.admin]), [[pn(bob), 'superadmin'], [pn(alice), null], [pn(carol), null]], 'participants')
    assertEq(info.participants[0].lid, bobInfo.lid, 'owner lid')
    return jid
  })

  const sentId = await step('Baileys sends to the group; both phones decrypt it', async () => {
    const r = await sock.sendMessage(gjid, { text: 'hello group from baileys' })
    for (const p of [bob, carol]) {
      const e = await inboxHas(p, gjid, 'hello group from baileys')
      assertEq(e.from, pn(alice), `${p} sees the sender`)
      assertEq(e.id, r.key.id, `${p} sees the id`)
      assertEq(e.type, 'text', 'type')
    }
    return r.key.id
  })

  await step('group delivery receipts from both phones reach Baileys', async () => {
    // Baileys' event buffer may merge receipts into the buffered upsert of
    // the message (`userReceipt`), so look at both.
    await waitUntil(() => {
      const mine = receipts.filter((r) => r.key.id === sentId).map((r) => r.receipt)
      const merged = client.own.filter((m) => m.key.id === sentId).flatMap((m) => m.userReceipt ?? [])
      const users = new Set([...mine, ...merged].map((r) => (r.userJid ?? '').split('@')[0].split(':')[0]))
      return [bobInfo.lid, carolInfo.lid].every((l) => users.has(l.split('@')[0]))
    }, 10000, 'message-receipt.update from bob and carol')
  })

  await step('each phone sends to the group; Baileys decrypts both', async () => {
    const b = await api.send(bob, gjid, 'bob to the group')
    const c = await api.send(carol, gjid, 'carol to the group')
    const mb = await client.waitText('bob to the group')
    const mc = await client.waitText('carol to the group')
    assertEq(mb.key.id, b.id, 'bob message id')
    assertEq(mc.key.id, c.id, 'carol message id')
    assertEq(mb.key.remoteJid, gjid, 'chat is the group')
    assertEq(mb.key.participant, bobInfo.lid, 'participant is bob (LID group)')
    assertEq(mb.pushName, 'Bob', 'push name')
    assertEq(mc.key.participant, carolInfo.lid, 'participant is carol')
    // the phones also see each other's messages
    await inboxHas(carol, gjid, 'bob to the group')
    await inboxHas(bob, gjid, 'carol to the group')
    // a second message per phone reuses the sender key (no new SKDM)
    await api.send(bob, gjid, 'bob again')
    await client.waitText('bob again')
  })

  await step('a PN-addressed group works both ways too', async () => {
    const { jid } = await api.call('POST', '/sim/groups', { subject: 'PN group', owner: carol, participants: [alice, bob], addressing_mode: 'pn' })
    const info = await api.group(jid)
    assertEq(info.addressing_mode, 'pn', 'addressing mode')
    const meta = await sock.groupMetadata(jid)
    assertEq(meta.addressingMode, 'pn', 'Baileys sees a PN group')
    assertEq(meta.participants.map((p) => p.id).sort(), [pn(alice), pn(bob), pn(carol)].sort(), 'PN participant ids')
    await sock.sendMessage(jid, { text: 'hello pn group' })
    await inboxHas(bob, jid, 'hello pn group')
    await inboxHas(carol, jid, 'hello pn group')
    await api.send(carol, jid, 'carol in the pn group')
    const m = await client.waitText('carol in the pn group')
    assertEq(m.key.participant, pn(carol), 'participant is carol (PN)')
  })

  const created = await step('Baileys creates a group with groupCreate', async () => {
    const meta = await sock.groupCreate('Made by Baileys', [pn(bob), pn(carol)])
    assert(/^120363\d+@g\.us$/.test(meta.id), 'id ' + meta.id)
    assertEq(meta.subject, 'Made by Baileys', 'subject')
    const admins = Object.fromEntries(meta.participants.map((p) => [p.phoneNumber ?? p.id, p.admin]))
    assertEq(admins[pn(alice)], 'superadmin', 'creator is superadmin')
    assertEq(admins[pn(bob)], null, 'bob is a member')
    return meta
  })

  await step('groupUpdateSubject; GET /sim/groups shows it with the participants', async () => {
    await sock.groupUpdateSubject(created.id, 'Renamed by Baileys')
    const info = await api.group(created.id)
    assertEq(info.subject, 'Renamed by Baileys', 'subject in the sim')
    assertEq(info.subject_owner, pn(alice), 'subject owner')
    assertEq(info.owner, pn(alice), 'owner')
    assertEq(info.participants.map((p) => [p.jid, p.admin]).sort(), [[pn(alice), 'superadmin'], [pn(bob), null], [pn(carol), null]].sort(), 'participants')
  })

  await step('groupMetadata returns what the sim holds', async () => {
    const meta = await sock.groupMetadata(created.id)
    const info = await api.group(created.id)
    assertEq(meta.id, info.jid, 'id')
    assertEq(meta.subject, info.subject, 'subject')
    assertEq(meta.creation, info.creation, 'creation')
    assertEq(meta.addressingMode, 'lid', 'addressing mode')
    assertEq(meta.ownerPn, info.owner, 'owner (PN)')
    assertEq(meta.announce, info.announce, 'announce')
    assertEq(meta.restrict, info.locked, 'locked')
    const got = meta.participants.map((p) => [p.id, p.phoneNumber, p.admin]).sort()
    const want = info.participants.map((p) => [p.lid, p.jid, p.admin]).sort()
    assertEq(got, want, 'participants (LID, PN, admin)')
    const all = await sock.groupFetchAllParticipating()
    assert(all[created.id] && all[gjid], 'both groups listed by groupFetchAllParticipating')
  })

  await step('settings, description and participants through Baileys', async () => {
    await sock.groupSettingUpdate(created.id, 'announcement')
    await sock.groupUpdateDescription(created.id, 'about us')
    const res = await sock.groupParticipantsUpdate(created.id, [pn(bob)], 'promote')
    assertEq(res.map((r) => r.status), ['200'], 'promote status')
    const info = await api.group(created.id)
    assert(info.announce, 'announce on')
    assertEq(info.description, 'about us', 'description')
    assertEq(info.participants.find((p) => p.jid === pn(bob)).admin, 'admin', 'bob promoted')
    const code = await sock.groupInviteCode(created.id)
    assertEq(code, info.invite_code, 'invite code')
    // bob (a phone) is now admin: a phone message in an announce group works
    await api.send(bob, created.id, 'announce from bob')
    const m = await client.waitText('announce from bob')
    assertEq(m.key.remoteJid, created.id, 'chat')
    // the subject change by bob's phone is not possible, but a plain member is refused sends
    let refused = false
    try { await api.send(carol, created.id, 'not allowed') } catch (e) { refused = e.status === 409 }
    assert(refused, 'a non-admin phone cannot send to an announce group')
    assert(textOf(m.message) === 'announce from bob', 'text')
  })

  await step('invite info, accept and leave through Baileys', async () => {
    const { jid } = await api.createGroup('Join me', bob, [carol])
    const { invite_code: code } = await api.group(jid)
    const info = await sock.groupGetInviteInfo(code)
    assertEq(info.id, jid, 'invite info id')
    assertEq(info.subject, 'Join me', 'invite info subject')
    const joined = await sock.groupAcceptInvite(code)
    assertEq(joined, jid, 'accepted group jid')
    assert((await api.group(jid)).participants.some((p) => p.jid === pn(alice)), 'alice joined')
    await sock.groupLeave(jid)
    assert(!(await api.group(jid)).participants.some((p) => p.jid === pn(alice)), 'alice left')
    let code401 = null
    try { await sock.groupMetadata(jid) } catch (e) { code401 = e.data }
    assertEq(code401, 401, 'metadata of a group we left is refused (not a member)')
  })

  await step('a second Baileys member: w:gp2 notifications reach both clients', async () => {
    const dave = '6281266660004'
    const { client: d } = await linkByQr(ctx, dave, 'Dave')
    const dEvents = { parts: [], updates: [] }
    d.sock.ev.on('group-participants.update', (u) => dEvents.parts.push(u))
    d.sock.ev.on('groups.update', (us) => dEvents.updates.push(...us))
    const aParts = []
    sock.ev.on('group-participants.update', (u) => aParts.push(u))
    const res = await sock.groupParticipantsUpdate(created.id, [pn(dave)], 'add')
    assertEq(res.map((r) => r.status), ['200'], 'add status')
    const added = await waitUntil(() => dEvents.parts.find((u) => u.id === created.id && u.action === 'add'), 10000, 'dave sees the add')
    assertEq(added.participants.map((p) => p.phoneNumber), [pn(dave)], 'added participant (PN)')
    // Dave (a plain member) may not lock the group: 403 from the sim.
    let code = null
    try { await d.sock.groupSettingUpdate(created.id, 'locked') } catch (e) { code = e.data }
    assertEq(code, 403, 'a member cannot lock the group')
    // Dave renames the (unlocked) group; Alice's Baileys sees the change.
    await d.sock.groupUpdateSubject(created.id, 'Renamed by Dave')
    const upd = await waitUntil(() => groupUpdates.find((u) => u.id === created.id && u.subject === 'Renamed by Dave'), 10000, 'alice sees the new subject')
    assert(upd.author, 'author of the subject change')
    assertEq((await api.group(created.id)).subject_owner, pn(dave), 'subject owner in the sim')
    // Dave sends to the group; Alice decrypts (sender key of another companion).
    // The group is announce-only: the sim refuses Dave's message (ack
    // error 403), so nobody gets it.
    await d.sock.sendMessage(created.id, { text: 'dave says hi' })
    await sock.groupSettingUpdate(created.id, 'not_announcement')
    await d.sock.sendMessage(created.id, { text: 'dave says hi again' })
    const m = await client.waitText('dave says hi again')
    assertEq(m.key.remoteJid, created.id, 'chat')
    await inboxHas(carol, created.id, 'dave says hi again')
    assert(!(await api.inbox(carol)).some((e) => e.text === 'dave says hi'), 'the refused message reached nobody')
    assert(!client.messages.some((x) => textOf(x.message) === 'dave says hi'), 'alice did not get the refused message')
    // Alice removes Dave; both sides see it.
    await sock.groupParticipantsUpdate(created.id, [pn(dave)], 'remove')
    await waitUntil(() => dEvents.parts.find((u) => u.id === created.id && u.action === 'remove'), 10000, 'dave sees the removal')
    assert(!(await api.group(created.id)).participants.some((p) => p.jid === pn(dave)), 'dave removed in the sim')
    d.stop()
  })

  client.stop()
})
