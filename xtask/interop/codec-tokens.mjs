// Prints the oracle's token dictionaries (Baileys lib/WABinary/constants.js) as one JSON object:
// {"single": [...236 strings], "double": [[...256], [...256], [...256], [...256]]}.
// Used by `cargo xtask gen-tokens` to (re)generate crates/wa-proto/src/binary/tokens_v3.rs.
import { pathToFileURL } from 'node:url';
const load = p => import(pathToFileURL(process.cwd() + '/node_modules/' + p).href);
const c = await load('baileys/lib/WABinary/constants.js');
process.stdout.write(JSON.stringify({ single: c.SINGLE_BYTE_TOKENS, double: c.DOUBLE_BYTE_TOKENS }) + '\n');
