// wa-sim scenario: media both ways over the sim's own HTTPS media server
// (trusted through NODE_EXTRA_CA_CERTS). (1) An unmodified Baileys client
// sends an image with a caption to a virtual phone: Baileys asks media_conn,
// uploads the encrypted file to https://<sim>/mms/image/..., and the phone
// downloads, checks and decrypts it (inbox: type image, the caption and the
// SHA-256 of the original bytes). (2) The phone sends an image through
// POST /sim/accounts/{phone}/send {image}: Baileys receives it and
// downloadMediaMessage yields exactly the original bytes.
import { createHash } from 'node:crypto'
import { deflateSync } from 'node:zlib'
import { setup, step, run, assert, assertEq, linkByQr, waitUntil } from './sim-lib.mjs'

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

run(async () => {
  const ctx = await setup()
  const { api, B } = ctx
  const alice = '6281277780001'
  const bob = '6281277780002'
  const bobJid = `${bob}@s.whatsapp.net`
  await api.createAccount(bob, 'Bob')
  const { client } = await step('link Alice by QR', () => linkByQr(ctx, alice, 'Alice'))

  await step('Baileys sends an image with a caption; the phone decrypts it', async () => {
    const png = makePng(64, 48, 7)
    const sent = await client.sock.sendMessage(bobJid, { image: png, caption: 'look at this', mimetype: 'image/png' })
    const img = sent.message.imageMessage
    assert(img.url.startsWith(`https://${ctx.info.addr}/`), 'uploaded to the sim: ' + img.url)
    const e = await waitUntil(async () => (await api.inbox(bob)).find((x) => x.id === sent.key.id), 15000, 'the image in bob\'s inbox')
    assertEq(e.type, 'image', 'inbox type')
    assertEq(e.text, 'look at this', 'inbox caption')
    assertEq(e.from, `${alice}@s.whatsapp.net`, 'inbox from')
    assertEq(e.media?.error, undefined, 'no media error')
    assertEq(e.media.sha256, sha256hex(png), 'decrypted sha256 is the original PNG')
    assertEq(e.media.size, png.length, 'decrypted size')
    assertEq(e.media.mimetype, 'image/png', 'mimetype')
  })

  await step('the phone sends an image; Baileys downloads exactly the original bytes', async () => {
    const png = makePng(40, 40, 13)
    const { id } = await api.call('POST', `/sim/accounts/${bob}/send`, {
      to: `${alice}@s.whatsapp.net`,
      image: { base64: png.toString('base64'), mimetype: 'image/png', caption: 'from bob' },
    })
    const m = await waitUntil(() => client.messages.find((x) => x.key.id === id), 15000, 'the image at Baileys')
    const img = m.message?.imageMessage
    assert(img, 'an imageMessage: ' + JSON.stringify(Object.keys(m.message ?? {})))
    assertEq(img.caption, 'from bob', 'caption')
    assertEq(img.mimetype, 'image/png', 'mimetype')
    const buf = await B.downloadMediaMessage(m, 'buffer', {})
    assert(Buffer.isBuffer(buf), 'a buffer')
    assertEq(buf.length, png.length, 'downloaded length')
    assert(buf.equals(png), 'downloaded bytes equal the original')
  })

  client.stop()
})
