// Interop check of the poll-vote encryption (wa_proto::msgsecret): Baileys'
// decryptPollVote (lib/Utils/process-message.js) must open a vote our code
// encrypted, and its PollVoteMessage must list the same option hashes.
//
// Usage (from the oracle folder):
//   node poll-vote.mjs <secret hex> <poll id> <creator jid> <voter jid> <payload hex> <iv hex>
// Prints the selected option hashes, one hex string per line.
import { pathToFileURL } from 'node:url';

const lib = await import(pathToFileURL(process.cwd() + '/node_modules/baileys/lib/index.js').href);
const [secret, pollMsgId, pollCreatorJid, voterJid, payload, iv] = process.argv.slice(2);
const vote = lib.decryptPollVote(
  { encPayload: Buffer.from(payload, 'hex'), encIv: Buffer.from(iv, 'hex') },
  { pollEncKey: Buffer.from(secret, 'hex'), pollMsgId, pollCreatorJid, voterJid }
);
for (const h of vote.selectedOptions) {
  console.log(Buffer.from(h).toString('hex'));
}
