// wa-sim scenario: app-state sync between two unmodified Baileys companions
// of the SAME account. Both get the app-state key from the virtual phone at
// link time. Companion A archives, pins, mutes a chat and stars a message
// (chatModify / star: patches pushed to w:sync:app:state); companion B is
// told by `server_sync`, fetches the patches, decrypts them with the shared
// key and emits chats.update / messages.update with the same values.
// Finally a third companion linked afterwards fetches every patch from
// version 0 in its initial sync and ends with the same app-state (versions,
// LTHash, index map) as A.
import { setup, step, run, assert, assertEq, linkByQr, waitUntil, textOf, sleep } from './sim-lib.mjs'

run(async () => {
  const ctx = await setup()
  const { api } = ctx
  const alice = '6281277790001'
  const bob = '6281277790002'
  await api.createAccount(bob, 'Bob')
  const { client: a } = await step('link companion A of Alice', () => linkByQr(ctx, alice, 'Alice'))
  const { client: b } = await step('link companion B of Alice', () => linkByQr(ctx, alice, 'Alice'))
  assert(a.auth.creds.myAppStateKeyId, 'A has an app-state key')
  assertEq(b.auth.creds.myAppStateKeyId, a.auth.creds.myAppStateKeyId, 'both companions got the same key')

  const { msgA, msgB } = await step('a message from Bob reaches both companions', async () => {
    await api.send(bob, `${alice}@s.whatsapp.net`, 'something to star')
    const msgA = await a.waitText('something to star')
    const msgB = await b.waitText('something to star')
    return { msgA, msgB }
  })
  const chat = msgA.key.remoteJid
  assertEq(msgB.key.remoteJid, chat, 'same chat id on both companions')
  const muteEnd = Date.now() + 8 * 60 * 60 * 1000
  const chatUpdate = (c, pred, what) =>
    waitUntil(() => c.chatUpdates.find((u) => u.id === chat && pred(u)), 15000, what)

  await step('A archives the chat; B receives archived=true', async () => {
    await a.sock.chatModify({ archive: true, lastMessages: [msgA] }, chat)
    await chatUpdate(b, (u) => u.archived === true, 'B: archived')
  })

  await step('A pins the chat; B receives pinned', async () => {
    await a.sock.chatModify({ pin: true }, chat)
    const u = await chatUpdate(b, (u) => typeof u.pinned === 'number' && u.pinned > 0, 'B: pinned')
    assert(Math.abs(u.pinned - Date.now()) < 120000, 'pin timestamp is recent: ' + u.pinned)
  })

  await step('A mutes the chat; B receives the mute end time', async () => {
    await a.sock.chatModify({ mute: muteEnd }, chat)
    const u = await chatUpdate(b, (u) => u.muteEndTime != null, 'B: muted')
    assertEq(Number(u.muteEndTime), muteEnd, 'muteEndTime')
  })

  await step('A stars the message; B receives starred=true', async () => {
    await a.sock.chatModify({ star: { messages: [{ id: msgA.key.id, fromMe: false }], star: true } }, chat)
    await waitUntil(() => b.updates.find((u) => u.key.id === msgA.key.id && u.update?.starred === true), 15000, 'B: starred')
  })

  await step('A unarchives; B follows', async () => {
    await a.sock.chatModify({ archive: false, lastMessages: [msgA] }, chat)
    await waitUntil(() => {
      const us = b.chatUpdates.filter((u) => u.id === chat && 'archived' in u)
      return us.length >= 2 && us[us.length - 1].archived === false
    }, 15000, 'B: unarchived')
  })

  await step('a companion linked afterwards syncs the same state from version 0', async () => {
    const { client: c } = await linkByQr(ctx, alice, 'Alice')
    // Compare the app-state of C with A's: same version and the same LTHash
    // and index->valueMac map per collection means C applied exactly the
    // mutations A pushed (the LTHash sums every value MAC).
    const stateOf = async (cl, name) => (await cl.auth.keys.get('app-state-sync-version', [name]))[name]
    for (const name of ['regular_high', 'regular_low']) {
      const sa = await stateOf(a, name)
      const sc = await waitUntil(async () => { const s = await stateOf(c, name); return s?.version === sa.version && s }, 20000, `C: ${name} at v${sa.version}`)
      assert(sa.version >= 1, `${name} was written`)
      assertEq(Buffer.from(sc.hash).toString('hex'), Buffer.from(sa.hash).toString('hex'), `${name} LTHash`)
      assertEq(Object.keys(sc.indexValueMap).sort(), Object.keys(sa.indexValueMap).sort(), `${name} indexes`)
    }
    // Baileys applies initial-sync chat effects only to chats it already
    // knows; when its history processing won the race they show up merged
    // into the history chats (or as chats.update). Check them when present.
    const seen = [...c.historyChats, ...c.chatUpdates].filter((u) => u.id === chat && Object.prototype.hasOwnProperty.call(u, 'muteEndTime'))
    for (const u of seen) if (u.muteEndTime) assertEq(Number(u.muteEndTime), muteEnd, 'C: muteEndTime')
    c.stop()
  })

  a.stop()
  b.stop()
})
