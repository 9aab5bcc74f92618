//! Every exported function called with null pointers and garbage inputs
//! from C (`tests/c/null_garbage.c`): status codes only, never a crash.
//! Built with AddressSanitizer and UBSan when gcc can link them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;

/// Whether gcc can build and run an ASan binary here.
fn asan_available(dir: &std::path::Path) -> bool {
    let src = dir.join("probe.c");
    std::fs::write(&src, "int main(void) { return 0; }\n").unwrap();
    let exe = dir.join("probe");
    Command::new("gcc")
        .args(["-fsanitize=address,undefined", "-o"])
        .arg(&exe)
        .arg(&src)
        .status()
        .is_ok_and(|s| s.success())
        && Command::new(&exe).status().is_ok_and(|s| s.success())
}

#[test]
fn null_and_garbage_inputs_get_error_codes() {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("null_garbage");
    let asan = asan_available(dir.path());
    let flags: &[&str] = if asan {
        &["-fsanitize=address,undefined", "-fno-omit-frame-pointer"]
    } else {
        &[]
    };
    common::compile_c(
        &common::crate_dir().join("tests/c/null_garbage.c"),
        &exe,
        flags,
    );
    let data = dir.path().join("data");
    let out = Command::new(&exe)
        .arg(&data)
        .env("LD_LIBRARY_PATH", common::lib_dir())
        // Leaks are checked separately under valgrind (docs/ffi.md): the
        // Rust runtime keeps some process-lifetime allocations.
        .env("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1")
        .env("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("asan: {asan}\n{stdout}\n{stderr}");
    assert!(
        out.status.success(),
        "status {:?}\n{stdout}\n{stderr}",
        out.status
    );
    assert!(stdout.contains(", 0 failures"), "{stdout}");
}
