// sim-profile: an unmodified Baileys companion against wa-sim's profile,
// privacy, blocklist, presence and logout handling. Every step asserts on
// values: what the sim stores (GET /sim/accounts/{phone}) and what Baileys
// returns or emits.
import { pathToFileURL } from 'node:url'
import { setup, step, run, assert, assertEq, waitUntil, sleep, linkByQr, textOf } from './sim-lib.mjs'

const ANN = '6281277770001' // the Baileys account
const BOB = '6281277770002' // a virtual phone
const BOB_JID = `${BOB}@s.whatsapp.net`

// A tiny JPEG-looking blob: the sim stores and serves bytes as given.
const PICTURE = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('wa-sim profile picture '.repeat(20))])

run(async () => {
  const ctx = await setup()
  const { api } = ctx
  await api.createAccount(BOB, 'Bob')
  const { client } = await step('link Baileys by QR', () => linkByQr(ctx, ANN, 'Ann'))
  const sock = client.sock
  const presences = []
  sock.ev.on('presence.update', (u) => presences.push(u))
  const blocklistEvents = []
  sock.ev.on('blocklist.update', (u) => blocklistEvents.push(u))

  await step('status text set by Baileys is stored', async () => {
    await sock.updateProfileStatus('Testing bots on wa-sim ✓')
    const acc = await api.account(ANN)
    assertEq(acc.status, 'Testing bots on wa-sim ✓', 'stored status')
  })

  await step('push name change reaches the sim (presence name)', async () => {
    // What Baileys does whenever its pushName changes (socket.js creds.update handler).
    sock.ev.emit('creds.update', { me: { ...sock.authState.creds.me, name: 'Ann Bot' } })
    await waitUntil(async () => (await api.account(ANN)).name === 'Ann Bot', 5000, 'name Ann Bot')
    await sock.sendPresenceUpdate('available')
    await waitUntil(async () => (await api.account(ANN)).presence.available, 5000, 'Ann available')
  })

  await step("fetch a phone's status", async () => {
    await api.call('POST', `/sim/accounts/${BOB}/profile`, { status: 'Bob is busy' })
    const res = await sock.fetchStatus(BOB_JID)
    assertEq(res.length, 1, 'one result')
    assertEq(res[0].status.status, 'Bob is busy', 'status text')
    const setAt = res[0].status.setAt.getTime() / 1000
    assert(Math.abs(setAt - Date.now() / 1000) < 120, `setAt ${setAt} is recent`)
  })

  await step("fetch a phone's profile picture URL and download it", async () => {
    let missing = null
    try { await sock.profilePictureUrl(BOB_JID, 'image') } catch (e) { missing = e }
    assert(missing && /item-not-found/.test(String(missing.message)), `no picture yet: ${missing}`)
    const acc = await api.call('POST', `/sim/accounts/${BOB}/profile`, { picture: { base64: PICTURE.toString('base64') } })
    const url = await sock.profilePictureUrl(BOB_JID, 'image')
    assert(typeof url === 'string' && url.startsWith('https://'), `url ${url}`)
    assertEq(url, acc.picture.url, 'url matches the sim account view')
    const res = await fetch(url)
    assertEq(res.status, 200, 'GET picture')
    const body = Buffer.from(await res.arrayBuffer())
    assert(body.equals(PICTURE), 'downloaded bytes equal the picture')
    const preview = await sock.profilePictureUrl(BOB_JID, 'preview')
    assert(preview.includes('type=preview'), `preview url ${preview}`)
  })

  await step('set, fetch and remove its own profile picture', async () => {
    const { default: sharp } = await import(pathToFileURL(process.cwd() + '/node_modules/sharp/dist/index.mjs').href)
    const img = await sharp({ create: { width: 96, height: 96, channels: 3, background: { r: 200, g: 40, b: 40 } } }).jpeg().toBuffer()
    const me = sock.authState.creds.me.id
    await sock.updateProfilePicture(me, img)
    const acc = await api.account(ANN)
    assert(acc.picture && acc.picture.size > 100, `stored picture ${JSON.stringify(acc.picture)}`)
    const url = await sock.profilePictureUrl(me, 'image')
    const body = Buffer.from(await (await fetch(url)).arrayBuffer())
    assertEq(body.length, acc.picture.size, 'downloaded size')
    assertEq([body[0], body[1]], [0xff, 0xd8], 'a JPEG (as Baileys resized it)')
    await sock.removeProfilePicture(me)
    assertEq((await api.account(ANN)).picture, null, 'picture removed')
  })

  await step('privacy settings update and fetch', async () => {
    const before = await sock.fetchPrivacySettings(true)
    assertEq(before.last, 'all', 'default last seen')
    assertEq(before.profile, 'all', 'default profile')
    await sock.updateLastSeenPrivacy('none')
    await sock.updateProfilePicturePrivacy('contacts')
    const after = await sock.fetchPrivacySettings(true)
    assertEq(after.last, 'none', 'last seen after update')
    assertEq(after.profile, 'contacts', 'profile after update')
    const acc = await api.account(ANN)
    assertEq(acc.privacy.last, 'none', 'stored last')
    assertEq(acc.privacy.profile, 'contacts', 'stored profile')
  })

  await step('block a phone: blocklist, no delivery; unblock', async () => {
    const bob = await api.account(BOB)
    assertEq(await sock.fetchBlocklist(), [], 'empty blocklist')
    await sock.updateBlockStatus(BOB_JID, 'block')
    assertEq(await sock.fetchBlocklist(), [bob.lid], 'blocklist after block')
    assertEq((await api.account(ANN)).blocklist, [BOB], 'stored blocklist')
    await api.send(BOB, ANN, 'sent while blocked')
    await sleep(1500)
    assert(!client.messages.some((m) => textOf(m.message) === 'sent while blocked'), 'blocked message not delivered')
    await sock.updateBlockStatus(BOB_JID, 'unblock')
    assertEq(await sock.fetchBlocklist(), [], 'blocklist after unblock')
    assertEq((await api.account(ANN)).blocklist, [], 'stored blocklist after unblock')
    await api.send(BOB, ANN, 'sent after unblock')
    await client.waitText('sent after unblock')
    assert(!client.messages.some((m) => textOf(m.message) === 'sent while blocked'), 'blocked message never arrives')
  })

  await step("subscribe to a phone's presence and receive updates", async () => {
    await sock.presenceSubscribe(BOB_JID)
    const first = await waitUntil(() => presences.find((p) => p.id === BOB_JID), 5000, 'initial presence')
    assertEq(first.presences[BOB_JID].lastKnownPresence, 'unavailable', 'initial presence')
    await api.call('POST', `/sim/accounts/${BOB}/presence`, { available: true })
    await waitUntil(() => presences.find((p) => p.id === BOB_JID && p.presences[BOB_JID].lastKnownPresence === 'available'), 5000, 'available')
    await api.call('POST', `/sim/accounts/${BOB}/presence`, { available: false })
    const off = await waitUntil(() => presences.find((p) => p.id === BOB_JID && p.presences[BOB_JID].lastKnownPresence === 'unavailable' && p.presences[BOB_JID].lastSeen), 5000, 'unavailable with last seen')
    assert(Math.abs(off.presences[BOB_JID].lastSeen - Date.now() / 1000) < 120, 'last seen is recent')
    await api.call('POST', `/sim/accounts/${BOB}/chatstate`, { to: ANN, state: 'composing' })
    await waitUntil(() => presences.find((p) => p.id === BOB_JID && p.presences[BOB_JID].lastKnownPresence === 'composing'), 5000, 'composing')
    await api.call('POST', `/sim/accounts/${BOB}/chatstate`, { to: ANN, state: 'recording' })
    await waitUntil(() => presences.find((p) => p.id === BOB_JID && p.presences[BOB_JID].lastKnownPresence === 'recording'), 5000, 'recording')
  })

  await step('logout removes the device', async () => {
    const before = await api.account(ANN)
    assertEq(before.devices.length, 1, 'one device before logout')
    await sock.logout()
    await waitUntil(async () => (await api.account(ANN)).devices.length === 0, 5000, 'device removed')
    await waitUntil(() => client.closes.includes(401), 5000, 'Baileys closed with 401')
    client.stop()
  })
})
