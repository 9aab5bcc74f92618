// Shared helpers for the wa-sim interop scenarios (sim-*.mjs).
//
// Every scenario is run by `cargo xtask interop sim-...` from the oracle
// folder with `--url http://127.0.0.1:PORT --root <hex>` (and the sim's CA in
// NODE_EXTRA_CA_CERTS). Baileys is configured only with `waWebSocketUrl` and
// `WA_CERT_DETAILS.PUBLIC_KEY`, as any client of a private server would be.
//
// Adding a scenario: write `xtask/interop/sim-<name>.mjs` that imports this
// file, calls `setup()`, runs its steps with `step(name, fn)`, and register it
// in `xtask/src/interop/sim.rs`.
import { pathToFileURL } from 'node:url'

export function parseArgs(argv = process.argv.slice(2)) {
  const out = {}
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1]
  if (!out.url || !out.root) throw new Error('usage: --url http://127.0.0.1:PORT --root HEX')
  return out
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

export function assert(cond, msg) {
  if (!cond) throw new Error('assertion failed: ' + msg)
}

export function assertEq(actual, expected, msg) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`assertion failed: ${msg}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
  }
}

/** Polls `fn` until it returns a truthy value (returned) or `ms` passes. */
export async function waitUntil(fn, ms, what) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error('timed out waiting for ' + what)
    await sleep(50)
  }
}

/** Runs one named step, printing its outcome and duration. */
export async function step(name, fn) {
  const t0 = Date.now()
  try {
    const r = await fn()
    console.log(`ok   ${name} (${Date.now() - t0} ms)`)
    return r
  } catch (e) {
    console.log(`FAIL ${name}: ${e.stack || e}`)
    throw e
  }
}

/** The control API of the sim. */
export class SimApi {
  constructor(base) { this.base = base.replace(/\/$/, '') }
  async call(method, path, body) {
    const res = await fetch(this.base + path, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    })
    const json = await res.json()
    if (!res.ok) {
      const err = new Error(`${method} ${path} -> ${res.status}: ${json.error}`)
      err.status = res.status
      throw err
    }
    return json
  }
  info() { return this.call('GET', '/sim/info') }
  createAccount(phone, name) { return this.call('POST', '/sim/accounts', { phone, name }) }
  account(phone) { return this.call('GET', `/sim/accounts/${phone}`) }
  link(phone, qr) { return this.call('POST', `/sim/accounts/${phone}/link`, { qr }) }
  linkCode(phone, code) { return this.call('POST', `/sim/accounts/${phone}/link-code`, { code }) }
  send(phone, to, text) { return this.call('POST', `/sim/accounts/${phone}/send`, { to, text }) }
  inbox(phone) { return this.call('GET', `/sim/accounts/${phone}/inbox`) }
  faults(body) { return this.call('POST', '/sim/faults', body) }
  clearFaults() { return this.call('DELETE', '/sim/faults') }
}

/** Loads Baileys from the oracle folder (the cwd) and points it at the sim. */
export async function loadBaileys(rootHex) {
  const B = await import(pathToFileURL(process.cwd() + '/node_modules/baileys/lib/index.js').href)
  B.WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootHex, 'hex')
  return B
}

/** A quiet pino-compatible logger (set SIM_TRACE=1 to see Baileys' nodes). */
export function makeLogger() {
  const level = process.env.SIM_TRACE ? 'trace' : 'silent'
  const noop = () => {}
  const print = (lvl) => (obj, msg) => console.error(`[baileys ${lvl}]`, msg ?? '', typeof obj === 'string' ? obj : JSON.stringify(obj)?.slice(0, 600))
  const logger = {
    level,
    child: () => logger,
    trace: level === 'trace' ? print('trace') : noop,
    debug: level === 'trace' ? print('debug') : noop,
    info: level === 'trace' ? print('info') : noop,
    warn: level === 'trace' ? print('warn') : noop,
    error: level === 'trace' ? print('error') : noop,
    fatal: print('fatal'),
  }
  return logger
}

/** In-memory auth state (the same objects survive reconnects). */
export function memoryAuth(B) {
  const creds = B.initAuthCreds()
  const store = new Map()
  const keys = {
    get: async (type, ids) => Object.fromEntries(ids.map((id) => [id, store.get(`${type}/${id}`)])),
    set: async (data) => {
      for (const t in data) for (const id in data[t]) {
        const v = data[t][id]
        if (v) store.set(`${t}/${id}`, v); else store.delete(`${t}/${id}`)
      }
    },
  }
  return { creds, keys }
}

/**
 * One Baileys companion: connects, reconnects after 515 (and, when
 * `autoReconnect` is set, after any other close), and records what it sees.
 */
export class Client {
  constructor(B, { wsUrl, auth, name = 'client', autoReconnect = false, onCreds = null }) {
    this.onCreds = onCreds
    this.B = B
    this.wsUrl = wsUrl
    this.auth = auth
    this.name = name
    this.autoReconnect = autoReconnect
    this.messages = [] // received (not fromMe) WebMessageInfo, in order
    this.updates = [] // messages.update entries
    this.chatUpdates = [] // chats.update entries (app-state effects)
    this.historyChats = [] // chats of messaging-history.set (initial-sync app state merges into them)
    this.own = [] // own messages as upserted (their status may carry receipts merged by the event buffer)
    this.closes = [] // status codes of closes
    this.opens = 0
    this.qrs = []
    this.onQr = null
    this.sock = null
    this.stopped = false
  }

  connect() {
    const sock = this.B.makeWASocket({ waWebSocketUrl: this.wsUrl, auth: this.auth, logger: makeLogger() })
    this.sock = sock
    // A late save after a scenario removed its auth folder must not crash
    // the script (an unhandled rejection); the re-login step checks saving.
    sock.ev.on('creds.update', () => { if (this.onCreds) Promise.resolve(this.onCreds()).catch((e) => console.error(`[${this.name}] saving creds failed: ${e.message}`)) })
    sock.ev.on('connection.update', (u) => {
      if (u.qr) {
        this.qrs.push(u.qr)
        if (this.onQr) this.onQr(u.qr, sock)
      }
      if (u.connection === 'open') this.opens++
      if (u.connection === 'close') {
        const code = u.lastDisconnect?.error?.output?.statusCode
        this.closes.push(code)
        if (this.sock !== sock || this.stopped) return
        if (code === 515 || (this.autoReconnect && code !== 401 && code !== 440)) {
          setTimeout(() => { if (!this.stopped && this.sock === sock) this.connect() }, 200)
        }
      }
    })
    sock.ev.on('messages.upsert', ({ messages, type }) => {
      for (const m of messages) {
        if (m.key.fromMe) this.own.push(m)
        else this.messages.push({ ...m, upsertType: type })
      }
    })
    sock.ev.on('messages.update', (ups) => { for (const u of ups) this.updates.push(u) })
    sock.ev.on('chats.update', (ups) => { for (const u of ups) this.chatUpdates.push(u) })
    sock.ev.on('messaging-history.set', ({ chats }) => { for (const c of chats ?? []) this.historyChats.push(c) })
    return sock
  }

  /** Waits until the client is open (after `n` opens in total). */
  async waitOpen(n = 1, ms = 30000) {
    await waitUntil(() => this.opens >= n, ms, `${this.name} open #${n}`)
    return this.sock
  }

  /**
   * The best known status of an own message: Baileys' event buffer merges
   * receipts into the buffered upsert of the message, so look at both.
   */
  statusOf(id) {
    const fromUpdates = this.updates.filter((u) => u.key.id === id).map((u) => u.update.status ?? 0)
    const fromUpserts = this.own.filter((m) => m.key.id === id).map((m) => m.status ?? 0)
    return Math.max(0, ...fromUpdates, ...fromUpserts)
  }

  /** Waits for a received message whose text (any common field) matches. */
  async waitText(text, ms = 15000) {
    return waitUntil(() => this.messages.find((m) => textOf(m.message) === text), ms, `${this.name} receiving "${text}"`)
  }

  stop() {
    this.stopped = true
    try { this.sock?.end(undefined) } catch {}
  }
}

/** The text of a message: conversation or extendedTextMessage. */
export function textOf(message) {
  return message?.conversation ?? message?.extendedTextMessage?.text
}

/** Standard start of a scenario: args, API, Baileys. */
export async function setup() {
  const args = parseArgs()
  const api = new SimApi(args.url)
  const info = await api.info()
  const B = await loadBaileys(args.root)
  assertEq(info.root_public_key_hex, args.root, 'root key from /sim/info')
  return { args, api, info, B, wsUrl: info.ws_url }
}

/** Creates an account and links a fresh Baileys client to it by QR. */
export async function linkByQr(ctx, phone, name, opts = {}) {
  await ctx.api.createAccount(phone, name).catch((e) => { if (e.status !== 409) throw e })
  const client = new Client(ctx.B, { wsUrl: ctx.wsUrl, auth: opts.auth ?? memoryAuth(ctx.B), name, autoReconnect: opts.autoReconnect, onCreds: opts.onCreds })
  let linked = null
  client.onQr = (qr) => {
    if (!linked) linked = ctx.api.link(phone, qr)
  }
  client.connect()
  await client.waitOpen(1, 40000)
  const res = await linked
  return { client, deviceJid: res.device_jid }
}

/** Runs `main`, exiting non-zero on failure (and always stopping sockets). */
export async function run(main) {
  try {
    await main()
    process.exit(0)
  } catch (e) {
    console.error(e)
    process.exit(1)
  }
}

/** Group control API (sim-group). */
SimApi.prototype.createGroup = function (subject, owner, participants) {
  return this.call('POST', '/sim/groups', { subject, owner, participants })
}
SimApi.prototype.group = function (jid) {
  return this.call('GET', `/sim/groups/${jid}`)
}
