//! The `where:` expression language (grammar in `grammar/expr.pest`): parse, check against a
//! node's fields when rules load, evaluate against a matched node.

use pest::iterators::Pair;
use pest::Parser;
use pest_derive::Parser;
use serde_json::Value;

#[derive(Parser)]
#[grammar = "../grammar/expr.pest"]
struct ExprParser;

#[derive(Clone, Debug, PartialEq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Cmp(Box<Expr>, CmpOp, Box<Expr>),
    /// A field path and its byte offset in the expression source.
    Path(Vec<String>, usize),
    Call {
        name: String,
        args: Vec<Expr>,
        offset: usize,
    },
    List(Vec<Expr>),
    Lit(Value),
}

/// An error at a byte offset of the expression source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    pub offset: usize,
    pub message: String,
}

/// The fixed set of functions: name, arity.
const FUNCTIONS: &[(&str, usize)] = &[
    ("exists", 1),
    ("len", 1),
    ("lower", 1),
    ("upper", 1),
    ("starts_with", 2),
    ("ends_with", 2),
    ("contains", 2),
    ("intersects", 2),
    ("get", 2),
    ("first", 1),
];

pub fn parse(src: &str) -> Result<Expr, ExprError> {
    let mut pairs = ExprParser::parse(Rule::expr, src).map_err(|e| {
        let offset = match e.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
        ExprError { offset, message: format!("invalid expression: {}", e.variant.message()) }
    })?;
    let expr = pairs.next().and_then(|p| p.into_inner().next()).expect("grammar: expr has a body");
    Ok(build(expr))
}

fn build(pair: Pair<Rule>) -> Expr {
    let offset = pair.as_span().start();
    match pair.as_rule() {
        Rule::or_expr | Rule::and_expr => {
            let is_or = pair.as_rule() == Rule::or_expr;
            let mut items: Vec<Expr> =
                pair.into_inner().filter(|p| !matches!(p.as_rule(), Rule::kw_or | Rule::kw_and)).map(build).collect();
            if items.len() == 1 {
                items.pop().unwrap()
            } else if is_or {
                Expr::Or(items)
            } else {
                Expr::And(items)
            }
        }
        Rule::not_expr => {
            let mut inner: Vec<Pair<Rule>> = pair.into_inner().collect();
            let last = build(inner.pop().expect("grammar: comparison"));
            inner.iter().fold(last, |e, _| Expr::Not(Box::new(e)))
        }
        Rule::comparison => {
            let mut it = pair.into_inner();
            let left = build(it.next().expect("grammar: operand"));
            match (it.next(), it.next()) {
                (Some(op), Some(right)) => {
                    let op = match op.as_str() {
                        "==" => CmpOp::Eq,
                        "!=" => CmpOp::Ne,
                        "<" => CmpOp::Lt,
                        "<=" => CmpOp::Le,
                        ">" => CmpOp::Gt,
                        ">=" => CmpOp::Ge,
                        "in" => CmpOp::In,
                        _ => CmpOp::NotIn,
                    };
                    Expr::Cmp(Box::new(left), op, Box::new(build(right)))
                }
                _ => left,
            }
        }
        Rule::call => {
            let mut it = pair.into_inner();
            let name = it.next().expect("grammar: call name").as_str().to_string();
            Expr::Call { name, args: it.map(build).collect(), offset }
        }
        Rule::list => Expr::List(pair.into_inner().map(build).collect()),
        Rule::path => Expr::Path(pair.as_str().split('.').map(String::from).collect(), offset),
        Rule::string => {
            let raw = pair.into_inner().next().map(|p| p.as_str()).unwrap_or("");
            Expr::Lit(Value::String(unescape(raw)))
        }
        Rule::number => {
            let s = pair.as_str();
            match s.parse::<i64>() {
                Ok(i) => Expr::Lit(Value::from(i)),
                Err(_) => Expr::Lit(
                    s.parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map(Value::Number)
                        .unwrap_or(Value::Null),
                ),
            }
        }
        Rule::boolean => Expr::Lit(Value::Bool(pair.as_str() == "true")),
        Rule::null => Expr::Lit(Value::Null),
        other => unreachable!("grammar rule {other:?} is not an expression"),
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Every path must name a field of `skeleton` (the node's fields with example values) and every
/// function must exist with the right arity.
pub fn check(expr: &Expr, skeleton: &Value) -> Result<(), ExprError> {
    match expr {
        Expr::Or(v) | Expr::And(v) | Expr::List(v) => v.iter().try_for_each(|e| check(e, skeleton)),
        Expr::Not(e) => check(e, skeleton),
        Expr::Cmp(a, _, b) => check(a, skeleton).and(check(b, skeleton)),
        Expr::Lit(_) => Ok(()),
        Expr::Path(parts, offset) => {
            let mut cur = skeleton;
            for (i, part) in parts.iter().enumerate() {
                match cur.get(part) {
                    Some(v) => cur = v,
                    None => {
                        let prefix = parts[..i].join(".");
                        let known: Vec<&str> = match cur {
                            Value::Object(m) => m.keys().map(|k| k.as_str()).collect(),
                            _ => Vec::new(),
                        };
                        let at = if prefix.is_empty() { "the node".to_string() } else { format!("`{prefix}`") };
                        let message = if known.is_empty() {
                            format!("unknown field `{part}`: {at} has no fields")
                        } else {
                            format!("unknown field `{part}` on {at}; known fields: {}", known.join(", "))
                        };
                        return Err(ExprError { offset: *offset, message });
                    }
                }
            }
            Ok(())
        }
        Expr::Call { name, args, offset } => {
            let Some((_, arity)) = FUNCTIONS.iter().find(|(n, _)| n == name) else {
                let names: Vec<&str> = FUNCTIONS.iter().map(|(n, _)| *n).collect();
                return Err(ExprError {
                    offset: *offset,
                    message: format!("unknown function `{name}`; functions: {}", names.join(", ")),
                });
            };
            if args.len() != *arity {
                return Err(ExprError {
                    offset: *offset,
                    message: format!(
                        "`{name}` takes {}, got {}",
                        crate::text::count(*arity, "argument", "arguments"),
                        args.len()
                    ),
                });
            }
            args.iter().try_for_each(|a| check(a, skeleton))
        }
    }
}

/// The values `path` must have for `expr` to hold, when the expression says so plainly
/// (`path == "x"`, `path in ["x", "y"]`, in a conjunct or in every branch of an `or`); `None`
/// when any value might do. Lets a rule skip statements without evaluating it on them.
pub fn required_values(expr: &Expr, path: &[&str]) -> Option<Vec<Value>> {
    let is_path = |e: &Expr| matches!(e, Expr::Path(p, _) if p.iter().map(String::as_str).eq(path.iter().copied()));
    match expr {
        Expr::Cmp(a, CmpOp::Eq, b) => match (a.as_ref(), b.as_ref()) {
            (p, Expr::Lit(v)) | (Expr::Lit(v), p) if is_path(p) => Some(vec![v.clone()]),
            _ => None,
        },
        Expr::Cmp(a, CmpOp::In, b) if is_path(a) => match b.as_ref() {
            Expr::List(items) => {
                items.iter().map(|i| if let Expr::Lit(v) = i { Some(v.clone()) } else { None }).collect()
            }
            _ => None,
        },
        Expr::And(v) => v.iter().find_map(|e| required_values(e, path)),
        Expr::Or(v) => {
            let mut all = Vec::new();
            for e in v {
                all.extend(required_values(e, path)?);
            }
            Some(all)
        }
        _ => None,
    }
}

pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(_) => true,
    }
}

/// What an expression reads its paths from: a JSON value (tests, skeletons) or a rule node
/// borrowed from the IR (`nodes::Node`), which serialises only the fields a path names.
pub trait Ctx {
    fn get(&self, path: &[String]) -> Option<Value>;
}

impl Ctx for Value {
    fn get(&self, path: &[String]) -> Option<Value> {
        lookup(self, path).cloned()
    }
}

pub fn eval(expr: &Expr, ctx: &dyn Ctx) -> Value {
    match expr {
        Expr::Or(v) => Value::Bool(v.iter().any(|e| truthy(&eval(e, ctx)))),
        Expr::And(v) => Value::Bool(v.iter().all(|e| truthy(&eval(e, ctx)))),
        Expr::Not(e) => Value::Bool(!truthy(&eval(e, ctx))),
        Expr::Lit(v) => v.clone(),
        Expr::List(v) => Value::Array(v.iter().map(|e| eval(e, ctx)).collect()),
        Expr::Path(parts, _) => ctx.get(parts).unwrap_or(Value::Null),
        // Literal lists and literals compare in place: cloning them per statement was most of
        // the cost of evaluating a rule.
        Expr::Cmp(a, op @ (CmpOp::In | CmpOp::NotIn), b) if matches!(b.as_ref(), Expr::List(_)) => {
            let Expr::List(items) = b.as_ref() else { unreachable!() };
            let a = eval(a, ctx);
            let found = items.iter().any(|i| match i {
                Expr::Lit(v) => equal(&a, v),
                e => equal(&a, &eval(e, ctx)),
            });
            Value::Bool(found == (*op == CmpOp::In))
        }
        Expr::Cmp(a, op @ (CmpOp::Eq | CmpOp::Ne), b) if matches!(b.as_ref(), Expr::Lit(_)) => {
            let Expr::Lit(v) = b.as_ref() else { unreachable!() };
            Value::Bool(equal(&eval(a, ctx), v) == (*op == CmpOp::Eq))
        }
        Expr::Cmp(a, op, b) => {
            let (a, b) = (eval(a, ctx), eval(b, ctx));
            Value::Bool(match op {
                CmpOp::Eq => equal(&a, &b),
                CmpOp::Ne => !equal(&a, &b),
                CmpOp::In => contains(&b, &a),
                CmpOp::NotIn => !contains(&b, &a),
                CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => match order(&a, &b) {
                    Some(o) => match op {
                        CmpOp::Lt => o.is_lt(),
                        CmpOp::Le => o.is_le(),
                        CmpOp::Gt => o.is_gt(),
                        _ => o.is_ge(),
                    },
                    None => false,
                },
            })
        }
        Expr::Call { name, args, .. } => {
            let v: Vec<Value> = args.iter().map(|a| eval(a, ctx)).collect();
            let s = |i: usize| v.get(i).and_then(|x| x.as_str()).unwrap_or("").to_string();
            match name.as_str() {
                "exists" => Value::Bool(!v[0].is_null()),
                "len" => Value::from(match &v[0] {
                    Value::Array(a) => a.len(),
                    Value::String(s) => s.chars().count(),
                    Value::Object(o) => o.len(),
                    _ => 0,
                }),
                "lower" => Value::String(s(0).to_lowercase()),
                "upper" => Value::String(s(0).to_uppercase()),
                "starts_with" => Value::Bool(s(0).starts_with(&s(1))),
                "ends_with" => Value::Bool(s(0).ends_with(&s(1))),
                "contains" => Value::Bool(contains(&v[0], &v[1])),
                // Any element of the first list is in the second.
                "intersects" => Value::Bool(match (&v[0], &v[1]) {
                    (Value::Array(a), b) => a.iter().any(|x| contains(b, x)),
                    (a, b) => contains(b, a),
                }),
                // A map entry by a key chosen at run time (maps such as `statement.options`
                // have no fixed fields to check): `get(statement.options, "deterministic")`.
                "get" => v[0].get(s(1)).cloned().unwrap_or(Value::Null),
                "first" => match &v[0] {
                    Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
                    _ => Value::Null,
                },
                _ => Value::Null,
            }
        }
    }
}

pub fn lookup<'a>(ctx: &'a Value, parts: &[String]) -> Option<&'a Value> {
    parts.iter().try_fold(ctx, |cur, p| cur.get(p))
}

/// Equality where `1 == 1.0`.
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn contains(hay: &Value, needle: &Value) -> bool {
    match (hay, needle) {
        (Value::Array(a), n) => a.iter().any(|x| equal(x, n)),
        (Value::String(h), Value::String(n)) => h.contains(n.as_str()),
        _ => false,
    }
}

fn order(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_values_of_plain_conditions() {
        let req = |src: &str| required_values(&parse(src).unwrap(), &["statement", "kind"]);
        assert_eq!(req(r#"statement.kind == "reindex""#), Some(vec![json!("reindex")]));
        assert_eq!(req(r#"options.no_owner and statement.kind in ["a", "b"]"#), Some(vec![json!("a"), json!("b")]));
        assert_eq!(req(r#"statement.kind == "a" or statement.kind == "b""#), Some(vec![json!("a"), json!("b")]));
        assert_eq!(req(r#"statement.kind == "a" or options.no_owner"#), None);
        assert_eq!(req(r#"not statement.kind == "a""#), None);
        assert_eq!(req(r#"statement.kind != "a""#), None);
    }
    use serde_json::json;

    fn ev(src: &str, ctx: &Value) -> bool {
        truthy(&eval(&parse(src).unwrap(), ctx))
    }

    #[test]
    fn evaluates_boolean_logic_and_comparisons() {
        let ctx = json!({"constraint": {"kind": "primary_key", "columns": ["id"], "deferrable": false}, "table": null});
        assert!(ev(r#"constraint.kind == "primary_key""#, &ctx));
        assert!(ev(r#"constraint.kind in ["unique", "primary_key"] and not constraint.deferrable"#, &ctx));
        assert!(!ev("exists(table)", &ctx));
        assert!(ev(r#"len(constraint.columns) == 1 or false"#, &ctx));
        assert!(ev(r#""id" in constraint.columns"#, &ctx));
        assert!(ev(r#"constraint.kind not in ["check"]"#, &ctx));
        assert!(ev(r#"not (constraint.kind == "check")"#, &ctx));
        assert!(ev(r#"starts_with(constraint.kind, "prim")"#, &ctx));
        assert!(ev(r#"intersects(constraint.columns, ["x", "id"])"#, &ctx));
        assert!(!ev(r#"intersects(constraint.columns, ["x"])"#, &ctx));
        let opts = json!({"statement": {"options": {"deterministic": "false"}}});
        assert!(ev(r#"get(statement.options, "deterministic") == "false""#, &opts));
        assert!(!ev(r#"exists(get(statement.options, "locale"))"#, &opts));
    }

    #[test]
    fn keywords_are_not_paths() {
        assert!(parse("and").is_err());
        assert!(parse("android == 1").is_ok());
        assert!(parse("notable").is_ok());
    }

    #[test]
    fn check_reports_unknown_fields_with_offset() {
        let skel = json!({"constraint": {"kind": "", "name": ""}});
        let e = parse(r#"constraint.kind == "x" and constraint.knd == "y""#).unwrap();
        let err = check(&e, &skel).unwrap_err();
        assert_eq!(err.offset, 27);
        assert!(err.message.contains("unknown field `knd`"), "{}", err.message);
        assert!(err.message.contains("kind, name"), "{}", err.message);
    }

    #[test]
    fn every_evaluated_function_is_accepted_by_the_checker() {
        let skel = json!({"a": [1], "m": {}});
        for f in [
            "exists(a)",
            "len(a)",
            "lower(a)",
            "upper(a)",
            "starts_with(a, a)",
            "ends_with(a, a)",
            "contains(a, a)",
            "intersects(a, a)",
            "get(m, \"k\")",
            "first(a)",
        ] {
            check(&parse(f).unwrap(), &skel).unwrap_or_else(|e| panic!("{f}: {}", e.message));
        }
    }

    #[test]
    fn check_reports_unknown_functions_and_arity() {
        let skel = json!({"a": 1});
        assert!(check(&parse("nope(a)").unwrap(), &skel).unwrap_err().message.contains("unknown function"));
        assert!(check(&parse("len(a, a)").unwrap(), &skel).unwrap_err().message.contains("takes 1"));
    }

    #[test]
    fn syntax_errors_have_offsets() {
        let err = parse("a == ").unwrap_err();
        assert_eq!(err.offset, 5);
    }
}
