//! The Signal fuzz fixture builds, its seed messages run through the fuzz
//! entry points, and (with `WA_WRITE_FUZZ_SEEDS=1`) they are written to
//! `fuzz/corpus/<target>/seed-<n>` as the committed seed corpus.

use std::path::Path;

#[test]
fn signal_fuzz_seeds() {
    let seeds = wa_proto::signal::fuzzing::seeds();
    let names: Vec<&str> = seeds.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        ["signal_pkmsg", "signal_msg", "signal_skmsg", "signal_skdm"]
    );
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    for (name, inputs) in &seeds {
        assert!(inputs.len() >= 2, "{name}");
        let entry = wa_proto::fuzzing::TARGETS
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| *e)
            .unwrap();
        for (i, input) in inputs.iter().enumerate() {
            entry(input);
            if std::env::var_os("WA_WRITE_FUZZ_SEEDS").is_some() {
                let dir = corpus.join(name);
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join(format!("seed-{i}")), input).unwrap();
            }
        }
    }
}
