// Noise interop: Baileys' client-side noise handler (makeNoiseHandler) against
// our responder, which `cargo xtask interop noise` runs on a loopback TCP port.
//
// Usage (from the oracle folder): node noise.mjs '<config json>'
// config: { port, root_hex, scenarios: [{ name, routing_hex, expect: "ok" |
//   "reject", c2s: [sizes], s2c: [sizes] }] }
// Scenarios run one after the other, one TCP connection each, in the order the
// server expects them. Prints one JSON line per scenario; exits non-zero on any
// mismatch.
import net from 'node:net';
import { pathToFileURL } from 'node:url';

const load = p => import(pathToFileURL(process.cwd() + '/node_modules/' + p).href);
const B = await load('baileys/lib/index.js');
const { makeNoiseHandler, Curve, proto, NOISE_WA_HEADER, WA_CERT_DETAILS } = B;

const curve = (await load('libsignal/src/curve.js')).default;

// Baileys 7.0.0-rc14's Curve.verify returns true unless libsignal's
// verifySignature throws, but that returns false for a bad signature instead
// of throwing: Baileys' certificate check only enforces lengths and the
// intermediate's issuerSerial. So we also verify the decrypted chain the way
// whatsmeow's verifyServerCert does, with libsignal's XEdDSA verifier. The
// decrypted chain and server static key are observed by wrapping the two
// functions processHandshake calls.
let seenChain = null;
const sharedKeyPeers = [];
const decodeChain = proto.CertChain.decode.bind(proto.CertChain);
proto.CertChain.decode = (...a) => (seenChain = decodeChain(...a));
const sharedKey = Curve.sharedKey;
Curve.sharedKey = (priv, pub) => { sharedKeyPeers.push(Buffer.from(pub)); return sharedKey(priv, pub); };

// Returns null if the chain verifies, else what failed.
const verifyChain = (chain, serverStatic, rootKey) => {
  const { Details } = proto.CertChain.NoiseCertificate;
  const int = chain?.intermediate, leaf = chain?.leaf;
  if (!int?.details || !int?.signature || !leaf?.details || !leaf?.signature) return 'missing parts';
  if (int.signature.length !== 64 || leaf.signature.length !== 64) return 'signature length';
  const sig = (key, msg, s) => curve.verifySignature(Buffer.concat([Buffer.from([5]), Buffer.from(key)]), msg, s);
  if (!sig(rootKey, int.details, int.signature)) return 'intermediate signature invalid';
  const i = Details.decode(int.details), l = Details.decode(leaf.details);
  if ((i.issuerSerial ?? 0) !== 0) return 'intermediate issuer serial';
  if (!i.key || i.key.length !== 32) return 'intermediate key length';
  if (!sig(i.key, leaf.details, leaf.signature)) return 'leaf signature invalid';
  if ((l.issuerSerial ?? 0) !== (i.serial ?? 0)) return 'leaf issuer serial';
  if (!Buffer.from(l.key ?? []).equals(serverStatic)) return 'leaf key is not the server static key';
  const now = Date.now() / 1000;
  for (const d of [i, l]) if (now < Number(d.notBefore ?? 0) || now > Number(d.notAfter ?? 0)) return 'validity';
  return null;
};

const config = JSON.parse(process.argv[2]);
// Baileys verifies the intermediate certificate against this key: trust our test root.
WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(config.root_hex, 'hex');

const logger = { level: 'silent', child: () => logger, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

// Deterministic frame contents, mirrored in xtask/src/interop/noise.rs.
const pattern = (dir, i, n) => {
  const b = Buffer.alloc(n);
  for (let j = 0; j < n; j++) b[j] = (dir * 101 + i * 31 + j * 7 + (j >> 9)) & 0xff;
  return b;
};

const fail = msg => { throw new Error(msg); };

async function scenario(sc) {
  const ephemeral = Curve.generateKeyPair();
  const noiseKey = Curve.generateKeyPair();
  const routingInfo = sc.routing_hex ? Buffer.from(sc.routing_hex, 'hex') : undefined;
  const noise = makeNoiseHandler({ keyPair: ephemeral, NOISE_HEADER: NOISE_WA_HEADER, logger, routingInfo });

  const sock = net.connect(config.port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise((res, rej) => { sock.once('connect', res); sock.once('error', rej); });

  // Received frames, in order (decodeFrame calls serialized as Baileys' socket would see them).
  const frames = [];
  let waiter = null;
  let failure = null;
  let chunks = 0;
  let chain = Promise.resolve();
  const wake = () => { if (waiter) { const w = waiter; waiter = null; w(); } };
  sock.on('data', d => {
    chunks++;
    chain = chain.then(() => noise.decodeFrame(d, f => { frames.push(f); wake(); }))
      .catch(e => { failure = e; wake(); });
  });
  sock.on('error', e => { failure = e; wake(); });
  sock.on('close', () => { failure ??= new Error('connection closed by server'); wake(); });
  const nextFrame = async () => {
    const deadline = Date.now() + 10000;
    while (frames.length === 0) {
      if (failure) throw failure;
      if (Date.now() > deadline) fail('timed out waiting for a frame');
      await new Promise(res => { waiter = res; setTimeout(res, 200); });
    }
    return frames.shift();
  };

  // -> ClientHello (with the intro: WA header, or the ED routing form)
  const hello = proto.HandshakeMessage.encode({ clientHello: { ephemeral: ephemeral.public } }).finish();
  sock.write(noise.encodeFrame(hello));

  // <- ServerHello: Baileys decrypts the server static and checks the chain.
  const handshake = proto.HandshakeMessage.decode(await nextFrame());
  seenChain = null;
  sharedKeyPeers.length = 0;
  let keyEnc, baileys = 'accepted';
  try {
    keyEnc = noise.processHandshake(handshake, noiseKey);
  } catch (e) {
    baileys = `rejected: ${e.message}`;
  }
  // processHandshake's second agreement is with the decrypted server static key.
  const independent = seenChain && sharedKeyPeers.length >= 2
    ? verifyChain(seenChain, sharedKeyPeers[1], config.root_hex && Buffer.from(config.root_hex, 'hex'))
    : 'chain not decrypted';
  if (sc.expect === 'reject') {
    sock.destroy();
    if (independent === null) fail(`${sc.name}: the chain verified although it should not`);
    return { name: sc.name, baileys, independent };
  }
  if (baileys !== 'accepted') fail(`${sc.name}: Baileys ${baileys}`);
  if (independent !== null) fail(`${sc.name}: chain check failed: ${independent}`);

  // -> ClientFinish with a real ClientPayload.
  const payload = proto.ClientPayload.encode({
    username: 491234567890, passive: true, pull: true, connectType: 1, connectReason: 1,
    userAgent: { platform: 14, appVersion: { primary: 2, secondary: 3000, tertiary: 1035194821 } },
  }).finish();
  const payloadEnc = noise.encrypt(payload);
  sock.write(noise.encodeFrame(proto.HandshakeMessage.encode({ clientFinish: { static: keyEnc, payload: payloadEnc } }).finish()));
  await noise.finishInit();

  // <- first transport frame: the server echoes our static key and payload.
  const echo = await nextFrame();
  const expectEcho = Buffer.concat([Buffer.from(noiseKey.public), Buffer.from(payload)]);
  if (echo.tag !== 'echo' || !Buffer.from(echo.content).equals(expectEcho)) fail(`${sc.name}: bad echo frame`);

  // -> several frames in one TCP chunk, then the rest (one frame split across chunks).
  const wire = Buffer.concat(sc.c2s.map((n, i) => noise.encodeFrame(pattern(1, i, n))));
  const mid = Math.floor(wire.length / 2) + 1;
  sock.write(wire.subarray(0, mid));
  await new Promise(res => setTimeout(res, 20));
  sock.write(wire.subarray(mid));

  // <- the server's frames (it writes them all at once).
  for (let i = 0; i < sc.s2c.length; i++) {
    const f = await nextFrame();
    const want = pattern(2, i, sc.s2c[i]);
    if (f.tag !== 'x' || !Buffer.from(f.content ?? []).equals(want)) {
      fail(`${sc.name}: server frame ${i} (${sc.s2c[i]} bytes) differs`);
    }
  }
  if (frames.length) fail(`${sc.name}: unexpected extra frames`);

  sock.write(noise.encodeFrame(Buffer.from('bye')));
  await new Promise(res => sock.end(res));
  return { name: sc.name, ok: true, baileys, independent: 'verified', sent: sc.c2s.length, received: sc.s2c.length + 1, tcp_chunks_in: chunks };
}

for (const sc of config.scenarios) {
  const result = await scenario(sc);
  console.log(JSON.stringify(result));
}
