// Binary node codec interop with the oracle (Baileys 7.0.0-rc14, dictionary v3).
// Run by `cargo xtask interop codec` from the oracle folder (target/oracles/baileys).
//
//   node codec.mjs gen SEED COUNT OUT.jsonl
//     Generates COUNT random nodes with a seeded PRNG (plus forced edge cases, zlib-compressed
//     copies and hand-made byte strings Baileys cannot produce but decodes), encodes each with
//     encodeBinaryNode and writes one JSON object per line:
//       {"hex": Baileys' bytes, "orig": the generated tree | null, "rt": Baileys' decode of those
//        bytes, "string_content": whether any content was a JS string, "kind": "random" | ...}
//   node codec.mjs check IN.hex
//     Decodes each hex line with decodeBinaryNode, prints one JSON node (or {"error"}) per line.
//
// JSON node form (the `cargo xtask node` contract):
//   {"tag": str, "attrs": {str: str}, "content": null | [node, ...] | {"base64": str}}
import { pathToFileURL } from 'node:url';
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const load = p => import(pathToFileURL(process.cwd() + '/node_modules/' + p).href);
// The codec modules only (lib/index.js would also load the whole protobuf schema).
const { encodeBinaryNode } = await load('baileys/lib/WABinary/encode.js');
const { decodeBinaryNode } = await load('baileys/lib/WABinary/decode.js');
const C = await load('baileys/lib/WABinary/constants.js');

const toJson = n => ({
    tag: n.tag,
    attrs: Object.fromEntries(Object.entries(n.attrs || {})),
    content: n.content === undefined || n.content === null ? null
        : Array.isArray(n.content) ? n.content.map(toJson)
        : { base64: Buffer.from(typeof n.content === 'string' ? Buffer.from(n.content, 'utf-8') : n.content).toString('base64') },
});

// --- seeded PRNG (mulberry32) ---
let state = 0;
const rand = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = n => Math.floor(rand() * n);
const pick = a => a[int(a.length)];
const chars = (alphabet, len) => { let s = ''; for (let i = 0; i < len; i++) s += alphabet[int(alphabet.length)]; return s; };

// Baileys looks strings up in a plain object: names on Object.prototype ("constructor", ...) would
// be mistaken for tokens, so the generator avoids them.
const safe = s => !(s in C.TOKEN_MAP) || Object.prototype.hasOwnProperty.call(C.TOKEN_MAP, s);

const UNICODE = ['a', 'Z', ' ', 'é', 'ü', 'ß', 'Ω', 'ж', 'ع', 'न', '中', '文', '✓', '€', '\u0000', '\n', '"', '\\', '😀', '🎉', '👍🏽'];
const tokenSingle = () => C.SINGLE_BYTE_TOKENS[1 + int(C.SINGLE_BYTE_TOKENS.length - 1)];
const tokenDouble = () => pick(pick(C.DOUBLE_BYTE_TOKENS));
const packedLen = () => pick([0, 1, 2, 3, 16, 17, 126, 127, 128, 129, int(140)]);

/** A string of one encoding class; never contains '@'. */
function genString(allowEmpty = true) {
    let s;
    const r = int(40);
    if (r < 10) s = tokenSingle();
    else if (r < 14) s = tokenDouble();
    else if (r < 19) s = chars('0123456789-.', packedLen());         // NIBBLE_8 (≤127) or raw
    else if (r < 24) s = chars('0123456789ABCDEF', packedLen());     // HEX_8 (≤127) or raw
    else if (r < 27) s = chars('0123456789abcdef', 1 + int(40));     // lowercase hex goes raw
    else if (r < 32) s = chars(UNICODE, int(30));                    // unicode
    else if (r < 33) s = chars('abcdefghijklmnopqrstuvwxyz', 256 + int(300)); // BINARY_20
    else s = chars('abcdefghijklmnopqrstuvwxyz-_', 1 + int(12));
    if ((!allowEmpty && s === '') || !safe(s)) return genString(allowEmpty);
    return s;
}

const digits = (min, max) => chars('123456789', 1) + chars('0123456789', min - 1 + int(max - min + 1));

/** A JID in canonical text form that Baileys writes and reads back unchanged. */
function genJid() {
    const device = 1 + int(255);
    switch (int(12)) {
        case 0: return `${digits(8, 15)}@s.whatsapp.net`;
        case 1: return `${digits(8, 15)}:${device}@s.whatsapp.net`;
        case 2: { // agent form (domain byte = agent); 1, 128, 129 would read back as another server
            let agent; do { agent = 2 + int(254); } while (agent === 128 || agent === 129);
            return `${digits(8, 13)}_${agent}:${device}@s.whatsapp.net`;
        }
        case 3: return `${digits(15, 15)}@lid`;
        case 4: return `${digits(15, 15)}:${device}@lid`;
        case 5: return `${digits(10, 13)}:${pick([99, device])}@hosted`;
        case 6: return `${digits(15, 15)}:${pick([99, device])}@hosted.lid`;
        case 7: return `${digits(18, 18)}@g.us`;
        case 8: return `${digits(10, 12)}-${digits(10, 10)}@g.us`;
        case 9: return pick(['status@broadcast', `${digits(10, 13)}@broadcast`, `${digits(18, 18)}@newsletter`, `${digits(5, 9)}@bot`]);
        case 10: return pick(['@s.whatsapp.net', '@g.us', '@lid', '@broadcast', '@call']); // server-only: JID_PAIR(LIST_EMPTY, server)
        default: return `${chars('abcdefghijklmnopqrstuvwxyz0123456789', 1 + int(10))}@${pick(['example.org', 'hosted', 'msg.example'])}`;
    }
}

let stringContent = false;

function genNode(depth, force = {}) {
    let tag;
    do { tag = genString(false); } while (tag === '');
    const attrs = {};
    const nattrs = int(6);
    for (let i = 0; i < nattrs; i++) {
        const key = int(20) === 0 ? '' : genString(false);
        attrs[key] = int(3) === 0 ? genJid() : genString();
    }
    let content;
    const r = force.children ? 0 : force.bytes ? 1 : int(depth >= 3 ? 4 : 6);
    if ((r === 0 || r === 5) && (depth < 3 || force.children)) {
        const n = force.children ?? int(5);
        content = [];
        for (let i = 0; i < n; i++) content.push(genNode(force.children ? 3 : depth + 1));
    } else if (r === 1) {
        const n = force.bytes ?? (int(300) === 0 ? 70000 : pick([0, 1, 20, 32, 100, 255, 256, 300]));
        content = Buffer.alloc(n);
        for (let i = 0; i < Math.min(n, 1024); i++) content[i] = int(256);
    } else if (r === 2) {
        stringContent = true;
        content = int(2) ? genString() : genJid();
    }
    // r === 3: no content
    return { tag, attrs, content };
}

async function gen(seed, count, out) {
    state = seed | 0;
    const lines = [];
    const add = async (node, kind) => {
        const buf = encodeBinaryNode(node);
        const rt = toJson(await decodeBinaryNode(buf));
        lines.push(JSON.stringify({ hex: buf.toString('hex'), orig: toJson(node), rt, string_content: stringContent, kind }));
        return buf;
    };
    // Forced edge cases first: LIST_16, 1 MiB binaries, a BINARY_32 string.
    for (let i = 0; i < 3; i++) { stringContent = false; await add(genNode(0, { children: 256 + int(300) }), 'list16'); }
    for (let i = 0; i < 2; i++) { stringContent = false; await add(genNode(0, { bytes: (1 << 20) + int(3) }), 'binary-1mib'); }
    stringContent = false;
    await add({ tag: 'big', attrs: { v: 'x'.repeat((1 << 20) + 5) } }, 'string-binary32');
    const bufs = [];
    for (let i = 0; i < count; i++) {
        stringContent = false;
        bufs.push([await add(genNode(0), 'random'), lines.length - 1]);
    }
    // zlib-compressed copies (flags byte 0x02).
    for (const [buf, line] of bufs.slice(0, 25)) {
        const z = Buffer.concat([Buffer.from([2]), deflateSync(buf.subarray(1))]);
        const prev = JSON.parse(lines[line]);
        const rt = toJson(await decodeBinaryNode(z));
        lines.push(JSON.stringify({ hex: z.toString('hex'), orig: prev.orig, rt, string_content: prev.string_content, kind: 'zlib' }));
    }
    // Hand-made bytes Baileys decodes but never writes.
    const T = C.TAGS;
    const raw = s => [T.BINARY_8, s.length, ...Buffer.from(s)];
    const handmade = [
        [0, T.LIST_8, 3, 19, 17, T.FB_JID, ...raw('100001'), 0x01, 0x2c, ...raw('msgr')],                 // FB_JID device 300
        [0, T.LIST_8, 3, 19, 17, T.INTEROP_JID, ...raw('42'), 0, 3, 0, 7, ...raw('interop')],              // INTEROP_JID
        [0, T.LIST_8, 3, 19, 17, T.AD_JID, 128, 99, T.NIBBLE_8, 0x82, 0x12, 0x3f],                         // hosted, odd nibble user
        [0, T.LIST_8, 3, 19, 17, T.AD_JID, 129, 5, T.NIBBLE_8, 0x01, 0x45],                                // hosted.lid
        [0, T.LIST_8, 3, 19, 17, T.AD_JID, 0, 0, T.NIBBLE_8, 0x01, 0x45],                                  // AD_JID device 0
        [0, T.LIST_8, 2, 19, T.AD_JID, 1, 3, T.NIBBLE_8, 0x81, 0x1f],                                       // JID as content
        [0, T.LIST_8, 2, 19, T.JID_PAIR, T.LIST_EMPTY, 3],                                                  // server JID as content
        [0, T.LIST_8, 3, 19, 17, T.NIBBLE_8, 0x00],                                                         // whatsmeow's empty string
        [0, T.LIST_8, 3, 19, 17, T.HEX_8, 0x83, 0xab, 0xcd, 0xef],                                          // odd hex
        [0, T.LIST_8, 2, 19, T.DICTIONARY_3, 255],                                                          // token content
        [0, T.LIST_8, 2, 19, T.LIST_EMPTY],                                                                 // empty child list
        [0, T.LIST_8, 3, 19, 17, T.BINARY_20, 0xf0, 0x00, 0x01, 0x41],                                      // high nibble of BINARY_20 ignored
    ];
    for (const bytes of handmade) {
        const b = Buffer.from(bytes);
        const rt = toJson(await decodeBinaryNode(b));
        lines.push(JSON.stringify({ hex: b.toString('hex'), orig: null, rt, string_content: false, kind: 'handmade' }));
    }
    writeFileSync(out, lines.join('\n') + '\n');
    process.stderr.write(`codec.mjs: wrote ${lines.length} cases (${count} random, seed ${seed})\n`);
}

async function check(input) {
    const out = [];
    for (const line of readFileSync(input, 'utf-8').split('\n')) {
        if (!line) continue;
        try {
            out.push(JSON.stringify(toJson(await decodeBinaryNode(Buffer.from(line, 'hex')))));
        } catch (e) {
            out.push(JSON.stringify({ error: String(e.message || e) }));
        }
    }
    process.stdout.write(out.join('\n') + '\n');
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'gen') await gen(Number(args[0]), Number(args[1]), args[2]);
else if (cmd === 'check') await check(args[0]);
else { process.stderr.write('usage: codec.mjs gen SEED COUNT OUT | check IN\n'); process.exit(2); }
