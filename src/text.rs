//! English for counts in messages: `1 input`, `2 inputs`, never `1 inputs` or `input(s)`.

/// `n` followed by the singular or plural noun (`count(1, "error", "errors")` is `1 error`).
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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
