//! What the `daemonlab` command shares with its tests.

pub mod bash;
