// wa-sim scenario `sim-client`: the Baileys side of an exchange with OUR
// client (wa-session), driven line by line by `xtask/src/interop/sim_client.rs`.
//
// Protocol: the Rust side writes one JSON command per line on stdin
// (`{"seq", "cmd", ...}`); this script answers each with one line on stdout
// `@@ {"seq", "ok": true, ...}` or `@@ {"seq", "ok": false, "error"}`.
// Commands:
// - `link {phone, name}`: creates the account if needed, links a fresh
//   Baileys companion by QR → `{deviceJid}`;
// - `sendText {to, text}` → `{id}`;
// - `react {to, key: {remoteJid, fromMe, id, participant?}, text}` → `{id}`;
// - `sendImage {to, caption, seed}` (a generated PNG) → `{id, sha256, length}`;
// - `wait {id, ms}`: waits for a received message with that id → its summary
//   (key, pushName, text, reaction, image with the downloaded bytes' SHA-256);
// - `waitReaction {target, ms}`: waits for a reaction whose key.id is `target`;
// - `stop`: ends the socket and exits 0.
import { createHash } from 'node:crypto'
import { createInterface } from 'node:readline'
import { deflateSync } from 'node:zlib'
import { setup, linkByQr, waitUntil, textOf } from './sim-lib.mjs'

const sha256hex = (b) => createHash('sha256').update(b).digest('hex')

/** A valid RGB PNG of w×h pixels with a deterministic pattern. */
function makePng(w, h, seed) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (buf) => {
    let c = 0xffffffff
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type), data])
    const c = Buffer.alloc(4); c.writeUInt32BE(crc(td))
    return Buffer.concat([len, td, c])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2
  const raw = Buffer.alloc(h * (1 + w * 3))
  for (let y = 0; y < h; y++) {
    raw[y * (1 + w * 3)] = 0
    for (let x = 0; x < w * 3; x++) raw[y * (1 + w * 3) + 1 + x] = (x * seed + y * 31) & 0xff
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ])
}

const reply = (obj) => process.stdout.write('@@ ' + JSON.stringify(obj) + '\n')

const ctx = await setup()
let client = null
const reactions = [] // messages.reaction entries

/** What the Rust side checks about one received message. */
async function summary(m) {
  const msg = m.message ?? {}
  const out = {
    key: m.key,
    pushName: m.pushName ?? null,
    upsertType: m.upsertType,
    types: Object.keys(msg),
    text: textOf(msg) ?? null,
  }
  if (msg.reactionMessage) {
    out.reaction = { text: msg.reactionMessage.text, key: msg.reactionMessage.key }
  }
  if (msg.imageMessage) {
    const img = msg.imageMessage
    const buf = await ctx.B.downloadMediaMessage(m, 'buffer', {})
    out.image = {
      mimetype: img.mimetype,
      caption: img.caption ?? null,
      fileLength: Number(img.fileLength),
      downloadedLength: buf.length,
      sha256: sha256hex(buf),
    }
  }
  return out
}

const handlers = {
  async link({ phone, name }) {
    const r = await linkByQr(ctx, phone, name)
    client = r.client
    client.sock.ev.on('messages.reaction', (rs) => reactions.push(...rs))
    return { deviceJid: r.deviceJid }
  },
  async sendText({ to, text }) {
    const r = await client.sock.sendMessage(to, { text })
    return { id: r.key.id }
  },
  async react({ to, key, text }) {
    const r = await client.sock.sendMessage(to, { react: { text, key } })
    return { id: r.key.id }
  },
  async sendImage({ to, caption, seed }) {
    const png = makePng(48, 32, seed ?? 5)
    const r = await client.sock.sendMessage(to, { image: png, caption, mimetype: 'image/png' })
    return { id: r.key.id, sha256: sha256hex(png), length: png.length, url: r.message.imageMessage.url }
  },
  async wait({ id, ms }) {
    const m = await waitUntil(() => client.messages.find((x) => x.key.id === id), ms ?? 15000, `message ${id} at Baileys`)
    return summary(m)
  },
  async waitReaction({ target, ms }) {
    const hit = await waitUntil(() => {
      const ev = reactions.find((r) => r.reaction?.key?.id === target)
      const up = client.messages.find((m) => m.message?.reactionMessage?.key?.id === target)
      return ev || up ? { ev, up } : null
    }, ms ?? 15000, `reaction to ${target} at Baileys`)
    return {
      event: hit.ev ? { key: hit.ev.key, reaction: { text: hit.ev.reaction.text, key: hit.ev.reaction.key } } : null,
      message: hit.up ? await summary(hit.up) : null,
    }
  },
  async stop() {
    client?.stop()
    return {}
  },
}

const rl = createInterface({ input: process.stdin })
for await (const line of rl) {
  if (!line.trim()) continue
  const req = JSON.parse(line)
  try {
    const h = handlers[req.cmd]
    if (!h) throw new Error('unknown command ' + req.cmd)
    const r = await h(req)
    reply({ seq: req.seq, ok: true, ...r })
    if (req.cmd === 'stop') break
  } catch (e) {
    reply({ seq: req.seq, ok: false, error: String(e.stack || e) })
  }
}
process.exit(0)
