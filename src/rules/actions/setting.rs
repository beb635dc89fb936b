//! `set_value` (replace the value of a setting) and `ensure_extension` (create an extension
//! before the first statement that needs it).

use crate::ir::{Edit, Fate, Ir, ObjKey, ObjKind, Prerequisite, StmtId};
use crate::rules::edit::{self, quote_ident};
use crate::source::Span;

use super::{ActionEnv, Applied};

/// Replace the value of setting `item` of statement `id` with the string `value`
/// (`SET client_encoding = 'LATIN1'` → `SET client_encoding = 'UTF8'`).
pub fn set_value(
    ir: &mut Ir,
    id: StmtId,
    item: usize,
    value: &str,
    a: &Applied,
    env: &ActionEnv,
) -> Result<bool, String> {
    let stmt = &ir.stmts[id];
    let setting = stmt.settings.get(item).ok_or("no such setting")?;
    let (first, last) = setting.value_at.ok_or("the setting has no value to replace")?;
    let text = env.files[stmt.file].slice(stmt.span);
    let toks = edit::tokens(text);
    let start = toks.iter().find(|t| t.start == first).ok_or("the value was not found in the statement text")?;
    let end = toks.iter().find(|t| t.start == last).ok_or("the value was not found in the statement text")?;
    let literal = format!("'{}'", value.replace('\'', "''"));
    let base = stmt.span.start;
    let s = &mut ir.stmts[id];
    s.edits.push(Edit { span: Span::new(base + start.start, base + end.end), insert: literal });
    s.add_code(a.code);
    s.fate = Fate::Rewritten;
    Ok(true)
}

/// Require `CREATE EXTENSION IF NOT EXISTS extension [WITH SCHEMA schema]` before statement `id`
/// loads; with `unless`, a function signature (`pg_catalog.gen_random_uuid()`), only when the
/// server lacks that function (a `DO` block, so the scripts also load on a newer PostgreSQL that
/// has it built in). Nothing when the input creates the extension itself (or holds that block,
/// as pg2znb's own output does). The finding is reported once, at the first statement (in input
/// order) that needs it; the extension is written once, before the first statement in load order
/// that needs it ([`Ir::place_prerequisites`]).
pub fn ensure_extension(
    ir: &mut Ir,
    id: StmtId,
    extension: &str,
    schema: Option<&str>,
    unless: Option<&str>,
    a: &Applied,
    env: &ActionEnv,
) -> Result<bool, String> {
    let key = ObjKey::new(ObjKind::Extension, "", extension);
    let with = schema.map(|s| format!(" WITH SCHEMA {}", quote_ident(s))).unwrap_or_default();
    let create = format!("CREATE EXTENSION IF NOT EXISTS {}{with};", quote_ident(extension));
    let sql = match unless {
        Some(f) => format!(
            "DO $pg2znb$ BEGIN IF pg_catalog.to_regprocedure('{}') IS NULL THEN {create} END IF; END $pg2znb$;",
            f.replace('\'', "''")
        ),
        None => create.clone(),
    };
    let p = Prerequisite {
        sql: format!("-- pg2znb {}: the statements below need extension {extension} on the target\n{sql}", a.code),
        defines: Some(key.clone()),
    };
    let in_input = match ir.prerequisites.get(&p) {
        Some(&present) => present,
        None => {
            let definer = ir.definer(&key);
            let present = definer.is_some()
                || ir.stmts.iter().any(|s| s.kind == "do" && env.files[s.file].slice(s.span).contains(&create));
            ir.prerequisites.insert(p.clone(), present);
            if present {
                // The input creates it, but elsewhere (`WITH SCHEMA public`, as a dump from
                // PostgreSQL 13+ of a database that once needed pgcrypto does): under pg_dump's
                // empty search_path the unqualified call would not find it. Move it.
                if let (Some(d), Some(want)) = (definer, schema) {
                    return relocate_extension(ir, d, extension, want, a, env);
                }
                return Ok(false);
            }
            let s = &mut ir.stmts[id];
            s.add_code(a.code);
            s.requires.push(p);
            return Ok(true);
        }
    };
    if in_input {
        return Ok(false);
    }
    let s = &mut ir.stmts[id];
    s.add_code(a.code);
    if !s.requires.contains(&p) {
        s.requires.push(p);
    }
    Ok(false)
}

/// `CREATE EXTENSION … WITH SCHEMA s` of the input → `WITH SCHEMA want`, unless a statement names
/// one of its objects qualified with `s` and not defined in the input (those would be lost).
fn relocate_extension(
    ir: &mut Ir,
    d: StmtId,
    extension: &str,
    want: &str,
    a: &Applied,
    env: &ActionEnv,
) -> Result<bool, String> {
    let Some(from) = ir.stmts[d].options.get("schema").cloned() else { return Ok(false) };
    if from.eq_ignore_ascii_case(want) || !ir.stmts[d].edits.is_empty() {
        return Ok(false);
    }
    // A call qualified with the old schema (`public.gen_random_uuid()`) would break. Refs cannot
    // tell (unqualified calls carry the schema they would resolve to, and defaults are not all
    // walked), so look for the extension's functions qualified in the text.
    const PGCRYPTO: &[&str] = &[
        "gen_random_uuid",
        "digest",
        "hmac",
        "crypt",
        "gen_salt",
        "gen_random_bytes",
        "encrypt",
        "decrypt",
        "encrypt_iv",
        "decrypt_iv",
        "pgp_sym_encrypt",
        "pgp_sym_decrypt",
        "pgp_pub_encrypt",
        "pgp_pub_decrypt",
        "pgp_key_id",
        "armor",
        "dearmor",
        "pgp_armor_headers",
        "pgp_sym_encrypt_bytea",
        "pgp_sym_decrypt_bytea",
        "pgp_pub_encrypt_bytea",
        "pgp_pub_decrypt_bytea",
    ];
    if extension != "pgcrypto" {
        return Ok(false);
    }
    let prefix = format!("{}.", from.to_ascii_lowercase());
    let qualified_use = ir.stmts.iter().filter(|s| s.id != d).any(|s| {
        let text = env.files[s.file].slice(s.span).to_ascii_lowercase();
        text.match_indices(&prefix).any(|(at, _)| {
            let rest = &text[at + prefix.len()..];
            PGCRYPTO.iter().any(|f| rest.starts_with(f) && rest[f.len()..].trim_start().starts_with('('))
        })
    });
    if qualified_use {
        return Ok(false);
    }
    let text = env.files[ir.stmts[d].file].slice(ir.stmts[d].span);
    let toks = edit::tokens(text);
    let Some(i) = toks.iter().position(|t| t.upper == "SCHEMA") else { return Ok(false) };
    let Some(name) = toks.get(i + 1) else { return Ok(false) };
    let base = ir.stmts[d].span.start;
    let st = &mut ir.stmts[d];
    st.edits.push(Edit { span: Span::new(base + name.start, base + name.end), insert: quote_ident(want) });
    st.fate = Fate::Rewritten;
    st.add_code(a.code);
    super::record_change(
        ir,
        d,
        crate::ir::change::ObjectKind::Extension,
        extension,
        None,
        &Applied {
            code: a.code,
            message: &format!("extension {extension} is created in {want} instead of {from}, so gen_random_uuid() resolves under any search_path"),
            help: None,
        },
    );
    Ok(true)
}
