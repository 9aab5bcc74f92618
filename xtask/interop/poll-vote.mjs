// Interop driver of suite `poll-vote`: Baileys' decryptPollVote
// (lib/Utils/process-message.js) opens votes encrypted by
// wa_proto::msgsecret / wa_session::message::poll.
//
// Usage (from the oracle folder): node poll-vote.mjs <cases.json>
//   cases: [{secret, pollId, creator, voter, payload, iv}] (bytes in hex)
// Prints a JSON array: per case {options: [hex...]} or {error: "..."}.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const lib = await import(pathToFileURL(process.cwd() + '/node_modules/baileys/lib/index.js').href);
const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = cases.map((c) => {
  try {
    const vote = lib.decryptPollVote(
      { encPayload: Buffer.from(c.payload, 'hex'), encIv: Buffer.from(c.iv, 'hex') },
      { pollEncKey: Buffer.from(c.secret, 'hex'), pollMsgId: c.pollId, pollCreatorJid: c.creator, voterJid: c.voter }
    );
    return { options: vote.selectedOptions.map((h) => Buffer.from(h).toString('hex')) };
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
});
process.stdout.write(JSON.stringify(out));
