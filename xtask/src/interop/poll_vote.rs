//! Suite `poll-vote`: poll votes encrypted by `wa_session::message::poll`
//! (key derivation and AES-GCM in `wa_proto::msgsecret`) are opened by
//! Baileys' `decryptPollVote` (`poll-vote.mjs`) with the same option
//! hashes, for phone-number and LID parties, single, multiple and empty
//! selections; a vote checked against another voter or poll id fails there.

use anyhow::{Context as _, ensure};
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha20Rng;
use serde_json::{Value, json};
use wa_proto::jid::Jid;
use wa_proto::msgsecret::option_hash;
use wa_session::message::poll::{VoteParties, encrypt_vote};

use super::node_script;

/// Runs the suite.
pub(crate) fn run() -> anyhow::Result<()> {
    let mut rng = ChaCha20Rng::seed_from_u64(0x90_11);
    let selections: [&[&str]; 4] = [&["Sate"], &["Bakso", "Nasi goreng"], &[], &["🍜 Mie"]];
    let mut cases = Vec::new();
    let mut expected = Vec::new();
    for (i, selected) in selections.iter().enumerate() {
        let secret: [u8; 32] = rng.random();
        let lid = i % 2 == 1;
        let (creator, voter) = if lid {
            (Jid::lid("123456789012345"), Jid::lid("987654321098765"))
        } else {
            (Jid::pn("6281111111111"), Jid::pn("6282222222222"))
        };
        let poll_id = format!("3EB0{:018X}", rng.random::<u64>());
        let parties = VoteParties {
            poll_id: poll_id.clone(),
            creator: creator.clone(),
            voter: voter.clone().with_device(3),
        };
        let vote = encrypt_vote(&secret, &parties, selected, &mut rng)?;
        let case = json!({
            "secret": hex::encode(secret),
            "pollId": poll_id,
            "creator": creator.to_string(),
            "voter": voter.to_string(),
            "payload": hex::encode(vote.enc_payload.unwrap_or_default()),
            "iv": hex::encode(vote.enc_iv.unwrap_or_default()),
        });
        let want: Vec<String> = selected
            .iter()
            .map(|s| hex::encode(option_hash(s)))
            .collect();
        // The same vote checked as another voter and as another poll.
        let mut other_voter = case.clone();
        other_voter["voter"] = json!("6283333333333@s.whatsapp.net");
        let mut other_poll = case.clone();
        other_poll["pollId"] = json!("3EB0000000000000000000");
        cases.extend([case, other_voter, other_poll]);
        expected.push(want);
    }
    let dir = std::env::temp_dir().join(format!("poll-vote-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("cases.json");
    std::fs::write(&file, serde_json::to_vec(&cases)?)?;
    let out = node_script("poll-vote.mjs", &[file.to_str().context("temp path")?])?;
    let _ = std::fs::remove_dir_all(&dir);
    let results: Vec<Value> = serde_json::from_str(&out)?;
    ensure!(
        results.len() == cases.len(),
        "{} results for {} cases",
        results.len(),
        cases.len()
    );
    for (i, want) in expected.iter().enumerate() {
        let ok = &results[i * 3];
        let got: Vec<String> = ok["options"]
            .as_array()
            .with_context(|| format!("case {i}: Baileys failed: {ok}"))?
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        ensure!(
            &got == want,
            "case {i}: Baileys read {got:?}, we voted {want:?}"
        );
        for (j, what) in [(1, "another voter"), (2, "another poll id")] {
            ensure!(
                results[i * 3 + j].get("error").is_some(),
                "case {i}: the vote opened as {what}"
            );
        }
    }
    eprintln!("poll-vote: {} votes opened by Baileys", expected.len());
    Ok(())
}
