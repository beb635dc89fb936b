//! The one diagnostic model every stage reports through; renderers live in `render`.

use serde::{Deserialize, Serialize};

use crate::source::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Where a diagnostic points: a file and a byte span in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub file: FileId,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub location: Location,
    pub message: String,
}

/// A suggested or applied change, as replacement text for a span.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub description: String,
    /// `true` when the change keeps the statement's meaning on the target.
    pub safe: bool,
    pub applied: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code: `ZN…` for rules, `E…` for input errors (scan, parse, order).
    pub code: String,
    /// The rule id, or the stage name for non-rule diagnostics.
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(code: &str, rule: &str, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.to_string(),
            rule: rule.to_string(),
            severity,
            message: message.into(),
            location: None,
            labels: Vec::new(),
            help: None,
            fix: None,
        }
    }
    pub fn error(code: &str, rule: &str, message: impl Into<String>) -> Self {
        Self::new(code, rule, Severity::Error, message)
    }
    pub fn warning(code: &str, rule: &str, message: impl Into<String>) -> Self {
        Self::new(code, rule, Severity::Warning, message)
    }
    pub fn at(mut self, file: FileId, span: Span) -> Self {
        self.location = Some(Location { file, span });
        self
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn with_label(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { location: Location { file, span }, message: message.into() });
        self
    }
}
