//! Message templates (`grammar/template.pest`): text with `{path}` placeholders.

use pest::Parser;
use pest_derive::Parser;
use serde_json::Value;

use super::expr::ExprError;

#[derive(Parser)]
#[grammar = "../grammar/template.pest"]
struct TemplateParser;

#[derive(Clone, Debug, PartialEq)]
enum Part {
    Text(String),
    Path(Vec<String>, usize),
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    pub fn parse(src: &str) -> Result<Template, ExprError> {
        let pairs = TemplateParser::parse(Rule::template, src).map_err(|e| {
            let offset = match e.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
            ExprError {
                offset,
                message: "invalid template: a `{` must close with `}` around a field path (write `{{` for a brace)"
                    .into(),
            }
        })?;
        let mut parts = Vec::new();
        for p in pairs.flatten() {
            match p.as_rule() {
                Rule::text => parts.push(Part::Text(p.as_str().to_string())),
                Rule::brace => parts.push(Part::Text(p.as_str()[..1].to_string())),
                Rule::placeholder => {
                    let path = p.into_inner().next().expect("grammar: placeholder path");
                    parts
                        .push(Part::Path(path.as_str().split('.').map(String::from).collect(), path.as_span().start()));
                }
                _ => {}
            }
        }
        Ok(Template { parts })
    }

    /// Check every placeholder names a field of the node.
    pub fn check(&self, skeleton: &Value) -> Result<(), ExprError> {
        for part in &self.parts {
            if let Part::Path(p, offset) = part {
                super::expr::check(&super::expr::Expr::Path(p.clone(), *offset), skeleton)?;
            }
        }
        Ok(())
    }

    pub fn render(&self, ctx: &dyn super::expr::Ctx) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Path(p, _) => match ctx.get(p) {
                    // An unnamed constraint has an empty name: "primary key folded", not two spaces.
                    Some(Value::String(s)) if s.is_empty() => {
                        if out.ends_with(' ') {
                            out.pop();
                        }
                    }
                    Some(Value::String(s)) => out.push_str(&s),
                    Some(Value::Array(a)) => {
                        let items: Vec<String> =
                            a.iter().map(|v| v.as_str().map(String::from).unwrap_or_else(|| v.to_string())).collect();
                        out.push_str(&items.join(", "));
                    }
                    Some(Value::Null) | None => out.push('?'),
                    Some(v) => out.push_str(&v.to_string()),
                },
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_placeholders_and_braces() {
        let t = Template::parse("key {constraint.name} on {table.name} ({constraint.columns}) {{x}}").unwrap();
        let ctx = json!({"constraint": {"name": "p", "columns": ["a", "b"]}, "table": {"name": "t"}});
        assert_eq!(t.render(&ctx), "key p on t (a, b) {x}");
    }

    #[test]
    fn an_empty_value_leaves_no_double_space() {
        let t = Template::parse("primary key {constraint.name} folded into {table.name}").unwrap();
        let ctx = json!({"constraint": {"name": ""}, "table": {"name": "t"}});
        assert_eq!(t.render(&ctx), "primary key folded into t");
    }

    #[test]
    fn unclosed_placeholder_is_an_error() {
        assert!(Template::parse("bad {x").is_err());
    }
}
