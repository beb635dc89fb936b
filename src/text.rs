//! English for counts in messages: `1 input`, `2 inputs`, never `1 inputs` or `input(s)`.

/// `n` followed by the singular or plural noun (`count(1, "error", "errors")` is `1 error`).
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `text` wrapped at `width` columns (words are never split), paragraphs kept.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    for para in text.lines() {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                out.push_str(&line);
                out.push('\n');
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular() {
        assert_eq!(super::count(0, "input", "inputs"), "0 inputs");
        assert_eq!(super::count(1, "input", "inputs"), "1 input");
        assert_eq!(super::count(2, "query", "queries"), "2 queries");
    }
}
