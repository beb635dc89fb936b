//! The closed vocabulary of rewrites rules can ask for. Each action checks it can apply and
//! returns why not otherwise; rules never print SQL themselves.

use std::collections::BTreeSet;

use crate::ir::{Detail, Edit, Fate, Ir, Phase, StmtId};
use crate::source::{SourceFile, Span};

use super::nodes::NodeKind;

/// What `--defer` can move to post-data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeferCategory {
    Fks,
    Checks,
    Uniques,
    Triggers,
    Indexes,
}

impl DeferCategory {
    pub const ALL: [DeferCategory; 5] = [
        DeferCategory::Fks,
        DeferCategory::Checks,
        DeferCategory::Uniques,
        DeferCategory::Triggers,
        DeferCategory::Indexes,
    ];
    pub const DEFAULT: [DeferCategory; 4] =
        [DeferCategory::Fks, DeferCategory::Checks, DeferCategory::Uniques, DeferCategory::Triggers];

    pub fn parse(s: &str) -> Option<DeferCategory> {
        Some(match s {
            "fks" => DeferCategory::Fks,
            "checks" => DeferCategory::Checks,
            "uniques" => DeferCategory::Uniques,
            "triggers" => DeferCategory::Triggers,
            "indexes" => DeferCategory::Indexes,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            DeferCategory::Fks => "fks",
            DeferCategory::Checks => "checks",
            DeferCategory::Uniques => "uniques",
            DeferCategory::Triggers => "triggers",
            DeferCategory::Indexes => "indexes",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Fold an `ALTER TABLE … ADD CONSTRAINT` into its table's CREATE TABLE.
    InlineConstraint,
    /// Move the statement to post-data when the defer policy includes the category.
    Defer(DeferCategory),
}

impl Action {
    /// Build an action from a rule file's `rewrite:` block; the error names what is wrong.
    pub fn from_spec(
        name: &str,
        params: &std::collections::BTreeMap<String, String>,
        node: NodeKind,
    ) -> Result<Action, String> {
        let allowed: &[&str] = match name {
            "inline_constraint" => &[],
            "defer" => &["category"],
            _ => return Err(format!("unknown action `{name}`; actions: inline_constraint, defer")),
        };
        if let Some(k) = params.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!("action `{name}` has no parameter `{k}`"));
        }
        match name {
            "inline_constraint" if node != NodeKind::AddConstraint => {
                Err("`inline_constraint` applies to `alter_table.add_constraint` nodes only".into())
            }
            "inline_constraint" => Ok(Action::InlineConstraint),
            _ => {
                let c = params.get("category").ok_or("`defer` needs `with: {category: …}`")?;
                DeferCategory::parse(c).map(Action::Defer).ok_or_else(|| {
                    format!("unknown defer category `{c}`; categories: fks, checks, uniques, triggers, indexes")
                })
            }
        }
    }
}

pub struct ActionEnv<'a> {
    pub files: &'a [SourceFile],
    pub defer: &'a BTreeSet<DeferCategory>,
}

/// Apply `action` to statement `id`. `Ok(false)` means the policy says not to (nothing changed);
/// `Err` says why the action cannot apply to this statement.
pub fn apply(action: &Action, ir: &mut Ir, id: StmtId, code: &str, env: &ActionEnv) -> Result<bool, String> {
    match action {
        Action::Defer(category) => {
            if !env.defer.contains(category) {
                return Ok(false);
            }
            let s = &mut ir.stmts[id];
            s.phase = Phase::PostData;
            s.add_code(code);
            Ok(true)
        }
        Action::InlineConstraint => inline_constraint(ir, id, code, env),
    }
}

fn inline_constraint(ir: &mut Ir, id: StmtId, code: &str, env: &ActionEnv) -> Result<bool, String> {
    let stmt = &ir.stmts[id];
    let Detail::AddConstraint { table, single_command, location, .. } = &stmt.detail else {
        return Err("not an ADD CONSTRAINT".into());
    };
    if !single_command {
        return Err("the ALTER TABLE has other commands; it is kept as written".into());
    }
    let target = ir.definer(table).ok_or("the table is not created by a CREATE TABLE in the input")?;
    let target_stmt = &ir.stmts[target];
    if (target_stmt.file, target_stmt.span.start) > (stmt.file, stmt.span.start) {
        return Err("the table is created after the constraint".into());
    }
    if target_stmt.kind != "create_table" && target_stmt.kind != "create_table_partition" {
        return Err("the table is not created by a CREATE TABLE in the input".into());
    }
    let close = target_stmt.elements_close.ok_or("the CREATE TABLE has no column list to fold into")?;

    let src = &env.files[stmt.file];
    let text = src.slice(stmt.span);
    let def = text[(*location).min(text.len())..].trim_end().trim_end_matches(';').trim_end();
    let table_text = &src.text[target_stmt.span.start..close];
    let body_start = table_text.find('(').map(|i| i + 1).unwrap_or(0);
    let body = &table_text[body_start..];
    let last = body.trim_end();
    let insert_at = target_stmt.span.start + body_start + last.len();
    let insert = if last.trim().is_empty() {
        def.to_string()
    } else if let Some(nl) = last.rfind('\n') {
        // Indent like the last element line (pg_dump uses four spaces).
        let line = &last[nl + 1..];
        let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
        format!(",\n{indent}{def}")
    } else {
        format!(", {def}")
    };

    let phase = target_stmt.phase;
    let t = &mut ir.stmts[target];
    t.edits.push(Edit { span: Span::new(insert_at, insert_at), insert });
    t.fate = Fate::Rewritten;
    t.add_code(code);
    let s = &mut ir.stmts[id];
    s.fate = Fate::Merged;
    s.merged_into = Some(target);
    s.phase = phase;
    s.add_code(code);
    Ok(true)
}
