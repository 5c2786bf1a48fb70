//! kubectl over daemonlab's simulated cluster: the verbs, their flags, and output
//! exactly as real kubectl prints it. Shared by the CLI and the browser.

pub mod apply;
