//! `cargo xtask node decode|encode` (work in progress).

pub(crate) fn run(_args: &[String]) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
