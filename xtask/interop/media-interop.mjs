// Media interop driver for `cargo xtask interop media`, using Baileys 7.0.0-rc14's
// media helpers.
//
//   node media-interop.mjs encrypt <dir> <size>...
//     For every media type Baileys maps and every size, encrypts <dir>/plain-<size>.bin with
//     Baileys' `encryptedStream` and writes <dir>/baileys-<type>-<size>.enc; prints a JSON
//     manifest (media key, hashes, length, mac) on stdout.
//   node media-interop.mjs decrypt <dir> <manifest.json>
//     For every entry {file, type, media_key, plain}: serves <dir> over a loopback HTTP server,
//     derives keys with Baileys' `getMediaKeys` and downloads + decrypts with Baileys'
//     `downloadEncryptedContent`; prints per entry the plaintext SHA-256, whether it equals
//     the plaintext file, and the MAC / fileEncSha256 checks. Baileys' download helper does
//     not check the MAC itself (it drops the last 10 bytes), so the script checks it with
//     node's HMAC and the macKey `getMediaKeys` returned.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, readFile, unlink } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { MEDIA_TYPES, hex, loadBaileys, unhex } from './media-common.mjs';

const B = await loadBaileys();
const [mode, dir, ...rest] = process.argv.slice(2);
const sha256 = (b) => createHash('sha256').update(b).digest();

async function encryptAll(sizes) {
  const out = [];
  for (const [ours, baileys] of MEDIA_TYPES) {
    if (!baileys) continue;
    for (const size of sizes) {
      const plain = await readFile(join(dir, `plain-${size}.bin`));
      const r = await B.encryptedStream(plain, baileys);
      const file = `baileys-${ours}-${size}.enc`;
      await copyFile(r.encFilePath, join(dir, file));
      await unlink(r.encFilePath);
      out.push({
        type: ours, size, file, media_key: hex(r.mediaKey), file_sha256: hex(r.fileSha256),
        file_enc_sha256: hex(r.fileEncSha256), file_length: r.fileLength, mac: hex(r.mac),
      });
    }
  }
  return out;
}

async function decryptAll(manifest) {
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url, 'http://x').pathname.slice(1));
    if (name.includes('/') || name.includes('..')) { res.writeHead(400).end(); return; }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    createReadStream(join(dir, name)).on('error', () => res.destroy()).pipe(res);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${server.address().port}/`;
  const bTypes = Object.fromEntries(MEDIA_TYPES);
  const results = [];
  try {
    for (const e of manifest) {
      const keys = await B.getMediaKeys(unhex(e.media_key), bTypes[e.type]);
      const enc = await readFile(join(dir, e.file));
      const ct = enc.subarray(0, -10);
      const mac = createHmac('sha256', keys.macKey).update(keys.iv).update(ct).digest().subarray(0, 10);
      const macOk = timingSafeEqual(mac, enc.subarray(-10));
      let plain = null;
      let error = null;
      try {
        const stream = await B.downloadEncryptedContent(base + encodeURIComponent(e.file), keys);
        const chunks = [];
        for await (const c of stream) chunks.push(c);
        plain = Buffer.concat(chunks);
      } catch (err) {
        error = String(err?.message ?? err);
      }
      const expectedPlain = e.plain ? await readFile(join(dir, e.plain)) : null;
      results.push({
        file: e.file,
        mac_ok: macOk,
        enc_sha256_ok: e.file_enc_sha256 ? hex(sha256(enc)) === e.file_enc_sha256 : null,
        download_error: error,
        plaintext_sha256: plain ? hex(sha256(plain)) : null,
        plaintext_matches: plain && expectedPlain ? Buffer.compare(plain, expectedPlain) === 0 : false,
      });
    }
  } finally {
    server.close();
  }
  return results;
}

let out;
if (mode === 'encrypt') out = await encryptAll(rest.map(Number));
else if (mode === 'decrypt') out = await decryptAll(JSON.parse(await readFile(rest[0], 'utf8')));
else throw new Error('usage: media-interop.mjs encrypt <dir> <size>... | decrypt <dir> <manifest>');
process.stdout.write(JSON.stringify(out) + '\n');
