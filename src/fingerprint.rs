//! A schema's fingerprint: which database a manifest was compiled from. A sha256 over a
//! canonical, order-independent form of the schema's relations (tables, views and materialized
//! views: kind, schema, name), computed alike from a manifest (`Manifest::source_objects`: what
//! the target holds and what the compile left out on purpose, i.e. what the source had) and from
//! a live catalog (`verify::diff::objects`, the object list verify compares), so `verify
//! --manifest` can tell a manifest of another database.
//!
//! Only relation names go in: a manifest's summaries are the dump's spelling after rewrites (types
//! as written, `serial`) where a catalog has the server's (`format_type`), and sequences and
//! columns come implicitly in places (a serial column's sequence, a partition's inherited
//! columns) that a dump and a catalog do not list alike.

use std::collections::BTreeSet;

use crate::manifest::ObjectKind;

/// One object as both sides can name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Object<'a> {
    pub kind: ObjectKind,
    pub schema: Option<&'a str>,
    pub name: &'a str,
}

/// The kinds a fingerprint covers, as written in its canonical lines.
fn kind_name(kind: ObjectKind) -> Option<&'static str> {
    match kind {
        ObjectKind::Table => Some("table"),
        ObjectKind::View => Some("view"),
        ObjectKind::MaterializedView => Some("materialized_view"),
        _ => None,
    }
}

/// The canonical form: one `kind<TAB>schema<TAB>name` line per covered object, sorted, without
/// duplicates (input order and repetitions do not matter).
pub fn canonical<'a>(objects: impl IntoIterator<Item = Object<'a>>) -> BTreeSet<String> {
    objects
        .into_iter()
        .filter_map(|o| kind_name(o.kind).map(|k| format!("{k}\t{}\t{}", o.schema.unwrap_or(""), o.name)))
        .collect()
}

/// `sha256:` and the hex digest of the canonical lines, each ended by a newline.
pub fn digest(lines: &BTreeSet<String>) -> String {
    let mut text = String::new();
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    let hash = openssl::sha::sha256(text.as_bytes());
    let mut out = String::from("sha256:");
    for b in hash {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The fingerprint of `objects`.
pub fn fingerprint<'a>(objects: impl IntoIterator<Item = Object<'a>>) -> String {
    digest(&canonical(objects))
}

/// A canonical line as `kind schema.name`, for messages.
pub fn describe(line: &str) -> String {
    let mut parts = line.splitn(3, '\t');
    let (kind, schema, name) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let kind = kind.replace('_', " ");
    if schema.is_empty() {
        format!("{kind} {name}")
    } else {
        format!("{kind} {schema}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(kind: ObjectKind, schema: &'static str, name: &'static str) -> Object<'static> {
        Object { kind, schema: Some(schema), name }
    }

    #[test]
    fn order_and_repetition_do_not_matter() {
        let a =
            [o(ObjectKind::Table, "public", "a"), o(ObjectKind::View, "public", "v"), o(ObjectKind::Table, "s", "b")];
        let mut b = a.to_vec();
        b.reverse();
        b.push(a[0]);
        assert_eq!(fingerprint(a), fingerprint(b));
    }

    #[test]
    fn it_is_stable_and_covers_relations_only() {
        let objects = [
            o(ObjectKind::Table, "public", "orders"),
            o(ObjectKind::Column, "public", "id"),
            o(ObjectKind::Index, "public", "orders_pkey"),
            o(ObjectKind::MaterializedView, "public", "totals"),
        ];
        let lines = canonical(objects);
        assert_eq!(
            lines.iter().map(String::as_str).collect::<Vec<_>>(),
            ["materialized_view\tpublic\ttotals", "table\tpublic\torders"]
        );
        // The digest of "materialized_view\tpublic\ttotals\ntable\tpublic\torders\n": fixed, so a
        // manifest written today is recognised by a later pg2znb.
        assert_eq!(digest(&lines), "sha256:a94effc332efc778758d992772d659456a69213544c73fbaf18c8d6bdaa59452");
        assert_eq!(digest(&BTreeSet::new()), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        // A different schema or kind is a different fingerprint.
        assert_ne!(fingerprint([o(ObjectKind::Table, "a", "t")]), fingerprint([o(ObjectKind::Table, "b", "t")]));
        assert_ne!(fingerprint([o(ObjectKind::Table, "a", "t")]), fingerprint([o(ObjectKind::View, "a", "t")]));
        assert_eq!(describe("materialized_view\tpublic\ttotals"), "materialized view public.totals");
    }
}
