//! Replays the committed cargo-fuzz corpus (`fuzz/corpus/<target>/*`) through
//! the same entry points the fuzz targets use, so CI catches a regression on
//! any input the fuzzer has ever kept, without needing a nightly toolchain.

use std::path::Path;

#[test]
fn replay_fuzz_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let mut total = 0usize;
    for (name, entry) in wa_proto::fuzzing::TARGETS {
        let dir = corpus.join(name);
        let Ok(files) = std::fs::read_dir(&dir) else {
            panic!(
                "fuzz target {name} has no committed corpus at {}",
                dir.display()
            );
        };
        let mut n = 0usize;
        for f in files {
            let path = f.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            entry(&data);
            n += 1;
        }
        assert!(n > 0, "corpus for {name} is empty");
        total += n;
    }
    eprintln!("replayed {total} corpus inputs");
}

#[test]
fn every_fuzz_target_is_registered() {
    let targets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/fuzz_targets");
    for f in std::fs::read_dir(targets).unwrap() {
        let path = f.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let stem = path.file_stem().unwrap().to_string_lossy().to_string();
            if stem.starts_with("sim_") {
                continue; // registered in wa_sim::fuzzing::TARGETS, replayed by wa-sim's tests
            }
            assert!(
                wa_proto::fuzzing::TARGETS.iter().any(|(n, _)| *n == stem),
                "fuzz target {stem} is not listed in wa_proto::fuzzing::TARGETS"
            );
        }
    }
}
