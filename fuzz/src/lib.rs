//! The fuzzed function, shared by the libFuzzer target (`fuzz_targets/compile.rs`, nightly) and
//! the corpus replay test (`tests/replay.rs`, stable `cargo test`).
//!
//! Input format: bytes, UTF-8 when valid (otherwise decoded lossily, as the CLI refuses them
//! anyway); byte 0x1C (ASCII file separator) splits the input into up to four files compiled
//! as one program; a leading 0x1D plus one byte selects compile options (bit flags below).

use std::sync::OnceLock;

use pg2znb::compile::compile;
use pg2znb::rules::{ApplyOptions, DeferCategory, RulePack};
use pg2znb::source::SourceFile;

fn pack() -> &'static RulePack {
    static PACK: OnceLock<RulePack> = OnceLock::new();
    PACK.get_or_init(|| RulePack::builtin().expect("built-in rules load"))
}

fn options(flags: u8) -> ApplyOptions {
    let mut o = ApplyOptions::default();
    if flags & 1 != 0 {
        o.defer.insert(DeferCategory::Indexes);
    }
    if flags & 2 != 0 {
        o.defer.clear();
    }
    o.unsafe_fixes = flags & 4 != 0;
    o.no_owner = flags & 8 != 0;
    o.no_privileges = flags & 16 != 0;
    o.shard_hints = flags & 32 != 0;
    if flags & 64 != 0 {
        o.target = "2025.1".into();
    }
    o
}

/// Compile `data` and check the invariants; panics (which the fuzzer reports) on a violation.
pub fn run(data: &[u8]) {
    let (flags, data) = match data {
        [0x1D, f, rest @ ..] => (*f, rest),
        _ => (0, data),
    };
    let text = String::from_utf8_lossy(data);
    let files: Vec<SourceFile> =
        text.split('\u{1c}').take(4).enumerate().map(|(i, t)| SourceFile::new(format!("f{i}.sql"), t)).collect();
    let c = compile(files, pack(), &options(flags));
    if let Err(e) = c.check_invariants() {
        panic!("invariant broken: {e}");
    }
    // The streamed scripts are the ones held in memory, byte for byte.
    let em = c.emitter();
    for kind in em.present() {
        let mut streamed = Vec::new();
        em.write(kind, &mut streamed).expect("writing to memory");
        assert_eq!(Some(String::from_utf8(streamed).expect("scripts are UTF-8")), em.text(kind), "{kind:?}");
    }
}
