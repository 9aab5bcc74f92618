//! The C and Python examples, built and run against a wa-sim: each prints
//! the QR, gets linked by the sim's phone, sends a message and prints the
//! contact's reply.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use tokio::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c_example_links_sends_and_prints_the_reply() {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("wa-example");
    common::compile_c(&common::crate_dir().join("examples/c/example.c"), &exe, &[]);
    let sim = common::sim().await;
    let (ok, out) = common::run_example(&sim, Command::new(&exe), dir.path()).await;
    assert!(ok, "the example failed:\n{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("QR: ") && l.contains("2@")),
        "{out}"
    );
    assert!(out.contains("READY"), "{out}");
    assert!(out.contains("SENT: true_"), "{out}");
    assert!(out.contains("REPLY: echo: hello from C"), "{out}");
    // The message really reached the contact's phone.
    let inbox = sim.inbox(common::CONTACT).unwrap();
    assert!(inbox.iter().any(|m| m.text == "hello from C"), "{inbox:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c_example_linked_statically_works_too() {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("wa-example-static");
    common::compile_c_static(&common::crate_dir().join("examples/c/example.c"), &exe);
    let sim = common::sim().await;
    let (ok, out) = common::run_example(&sim, Command::new(&exe), dir.path()).await;
    assert!(ok, "the example failed:\n{out}");
    assert!(out.contains("REPLY: echo: hello from C"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_example_links_sends_and_prints_the_reply() {
    let dir = tempfile::tempdir().unwrap();
    let sim = common::sim().await;
    let mut cmd = Command::new("python3");
    cmd.arg(common::crate_dir().join("examples/python/example.py"))
        .env("WA_FFI_LIB", common::lib_dir().join("libwa_ffi.so"));
    let (ok, out) = common::run_example(&sim, cmd, dir.path()).await;
    assert!(ok, "the example failed:\n{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("QR: ") && l.contains("2@")),
        "{out}"
    );
    assert!(out.contains("SENT: true_"), "{out}");
    assert!(out.contains("REPLY: echo: hello from Python"), "{out}");
    let inbox = sim.inbox(common::CONTACT).unwrap();
    assert!(
        inbox.iter().any(|m| m.text == "hello from Python"),
        "{inbox:?}"
    );
}
