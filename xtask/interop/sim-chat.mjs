// wa-sim scenario: 1:1 messaging with a virtual phone. An unmodified
// Baileys client (4) sends text, location, contact and poll messages that
// the phone decrypts (checked in its inbox: type and text), also to the
// phone's LID; (5) receives and decrypts a reply sent through
// /sim/accounts/{phone}/send and gets delivery receipts for its own sends;
// (6) receives a message queued while it was offline; (7) survives
// drop_connections, reconnects and still exchanges messages.
import { setup, step, run, assert, assertEq, linkByQr, Client, waitUntil, textOf, sleep } from './sim-lib.mjs'

run(async () => {
  const ctx = await setup()
  const alice = '6281277770001'
  const bob = '6281277770002'
  const bobJid = `${bob}@s.whatsapp.net`
  const { api } = ctx
  const bobInfo = await api.createAccount(bob, 'Bob')
  let { client } = await step('link Alice by QR', () => linkByQr(ctx, alice, 'Alice'))
  const auth = client.auth

  const inboxHas = (type, text) =>
    waitUntil(async () => (await api.inbox(bob)).find((e) => e.type === type && e.text === text), 10000, `bob's inbox: ${type} "${text}"`)

  const sentIds = await step('send text, location, contact, poll to the phone', async () => {
    const s = client.sock
    const ids = []
    ids.push((await s.sendMessage(bobJid, { text: 'hello bob' })).key.id)
    ids.push((await s.sendMessage(bobJid, { location: { degreesLatitude: -6.2, degreesLongitude: 106.8, name: 'Jakarta' } })).key.id)
    ids.push((await s.sendMessage(bobJid, { contacts: { displayName: 'Carol', contacts: [{ vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Carol\nTEL;type=CELL;waid=6281200000000:+62 812 0000 0000\nEND:VCARD' }] } })).key.id)
    ids.push((await s.sendMessage(bobJid, { poll: { name: 'Lunch?', values: ['yes', 'no'], selectableCount: 1 } })).key.id)
    const t = await inboxHas('text', 'hello bob')
    assertEq(t.from, bobJid.replace(bob, alice), 'inbox from')
    assertEq(t.chat, `${alice}@s.whatsapp.net`, 'inbox chat')
    assertEq(t.id, ids[0], 'inbox id')
    await inboxHas('location', 'Jakarta')
    await inboxHas('contact', 'Carol')
    await inboxHas('poll', 'Lunch?')
    return ids
  })

  await step('send to the phone by LID', async () => {
    await client.sock.sendMessage(bobInfo.lid, { text: 'hello bob by lid' })
    await inboxHas('text', 'hello bob by lid')
  })

  await step('delivery receipts reach the sender', async () => {
    for (const id of sentIds) {
      await waitUntil(() => client.statusOf(id) >= 3, 10000, `status DELIVERY_ACK for ${id}`)
    }
  })

  await step('receive a reply from the phone', async () => {
    const { id } = await api.send(bob, `${alice}@s.whatsapp.net`, 'hi alice, bob here')
    const m = await client.waitText('hi alice, bob here')
    assertEq(m.key.id, id, 'message id')
    assert(m.key.remoteJid.startsWith(bob) || m.key.remoteJidAlt?.startsWith(bob), 'chat is bob: ' + JSON.stringify(m.key))
    assertEq(m.pushName, 'Bob', 'push name')
  })

  await step('receive a message queued while offline', async () => {
    client.stop()
    await waitUntil(async () => !(await api.account(alice)).devices[0].online, 5000, 'alice offline')
    const { id } = await api.send(bob, `${alice}@s.whatsapp.net`, 'sent while you were away')
    const acct = await api.account(alice)
    assert(acct.devices[0].queued >= 1, 'queued for the offline device')
    client = new Client(ctx.B, { wsUrl: ctx.wsUrl, auth, name: 'alice-back' })
    client.connect()
    await client.waitOpen(1, 20000)
    const m = await client.waitText('sent while you were away')
    assertEq(m.key.id, id, 'offline message id')
    assertEq(m.upsertType, 'append', 'delivered as an offline message')
  })

  await step('survive drop_connections and reconnect', async () => {
    client.stop()
    client = new Client(ctx.B, { wsUrl: ctx.wsUrl, auth, name: 'alice-dropped', autoReconnect: true })
    client.connect()
    await client.waitOpen(1, 20000)
    await sleep(300)
    const r = await api.faults({ drop_connections: true })
    assert(r.dropped_connections >= 1, 'dropped')
    await waitUntil(() => client.closes.length >= 1, 5000, 'close seen by Baileys')
    assertEq(client.closes[0], 428, 'close code (connection closed)')
    await client.waitOpen(2, 20000)
    await api.send(bob, `${alice}@s.whatsapp.net`, 'after the drop')
    await client.waitText('after the drop')
    await client.sock.sendMessage(bobJid, { text: 'still here' })
    await inboxHas('text', 'still here')
    client.stop()
  })
})
