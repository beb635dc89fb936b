//! Helpers shared by the integration tests. Each test binary uses a different subset.
#![allow(dead_code)]

pub mod awkward;
pub mod cli;
pub mod compile;
pub mod corpus;
pub mod pg;
pub mod roundtrip;
pub mod tls;
