//! libFuzzer target: scan + parse + lower + rules + order + emit on arbitrary input, with the
//! conservation invariant checked (see `pg2znb_fuzz::run`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pg2znb_fuzz::run(data));
