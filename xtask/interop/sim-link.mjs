// wa-sim scenario: linking. An unmodified Baileys client (1) links by QR
// through POST /sim/accounts/{phone}/link, (2) links by pairing code through
// POST /sim/accounts/{phone}/link-code, (3) logs in again from its saved
// credentials (a new socket, same auth state, no QR).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setup, step, run, assert, assertEq, linkByQr, Client, memoryAuth, waitUntil } from './sim-lib.mjs'

run(async () => {
  const ctx = await setup()
  const alice = '6281288880001'
  const bob = '6281288880002'

  // Credentials live on disk (Baileys' own multi-file store), so the second
  // login reads them back like a restarted process would.
  const authDir = mkdtempSync(join(tmpdir(), 'wa-sim-auth-'))
  const diskAuth = async () => {
    const { state, saveCreds } = await ctx.B.useMultiFileAuthState(authDir)
    return { state, saveCreds }
  }
  const first = await diskAuth()
  const { client, deviceJid } = await step('link by QR', async () => {
    const r = await linkByQr(ctx, alice, 'Alice', { auth: first.state, onCreds: first.saveCreds })
    assert(/^6281288880001:\d+@s\.whatsapp\.net$/.test(r.deviceJid), 'device jid ' + r.deviceJid)
    assertEq(r.client.sock.user.id, r.deviceJid, 'Baileys creds.me.id')
    assert(/^\d+:\d+@lid$/.test(r.client.sock.user.lid), 'creds.me.lid ' + r.client.sock.user.lid)
    assert(r.client.closes.includes(515), 'restart (515) after pairing')
    const acct = await ctx.api.account(alice)
    assertEq(acct.devices.map((d) => d.jid), [r.deviceJid], 'account devices')
    return r
  })

  await step('log in again from saved credentials', async () => {
    client.stop()
    await first.saveCreds()
    await waitUntil(async () => !(await ctx.api.account(alice)).devices[0].online, 5000, 'old socket gone')
    const saved = await diskAuth()
    assertEq(saved.state.creds.me?.id, deviceJid, 'creds.me read back from disk')
    const again = new Client(ctx.B, { wsUrl: ctx.wsUrl, auth: saved.state, name: 'alice-again', onCreds: saved.saveCreds })
    let qr = false
    again.onQr = () => { qr = true }
    again.connect()
    await again.waitOpen(1, 20000)
    assert(!qr, 'no QR on re-login')
    assertEq(again.sock.user.id, deviceJid, 'same device')
    assertEq(again.closes.length, 0, 'no close')
    again.stop()
    rmSync(authDir, { recursive: true, force: true })
  })

  await step('link by pairing code', async () => {
    await ctx.api.createAccount(bob, 'Bob')
    const c = new Client(ctx.B, { wsUrl: ctx.wsUrl, auth: memoryAuth(ctx.B), name: 'bob' })
    let linking = null
    c.onQr = (_qr, sock) => {
      if (linking) return
      linking = (async () => {
        const code = await sock.requestPairingCode(bob)
        assertEq(code.length, 8, 'code length')
        return ctx.api.linkCode(bob, code.slice(0, 4) + '-' + code.slice(4))
      })()
    }
    c.connect()
    await c.waitOpen(1, 40000)
    const res = await linking
    assert(/^6281288880002:\d+@s\.whatsapp\.net$/.test(res.device_jid), 'device jid ' + res.device_jid)
    assertEq(c.sock.user.id, res.device_jid, 'Baileys creds.me.id')
    c.stop()
  })
})
