//! report.html renders its numbers: compile a fixture with errors, warnings, fixes and statements
//! moved to unsupported.sql, open report.html in a real headless browser (Debian's Chromium) and
//! read the DOM after its script ran: the counts, codes and moved statements of report.json, one
//! graph node per moved statement, and the search box (`?q=CODE`) leaving only matching rows.
//!
//! Chromium comes from `PG2ZNB_CHROMIUM`, else `chromium`, `chromium-browser` or `google-chrome`
//! on PATH. Without one the browser checks are skipped with a notice, unless `PG2ZNB_REQUIRE_PG`
//! is set (CI), where that fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/report/findings.sql")
}

/// `pg2znb compile FIXTURE -o DIR`: report.json and report.html.
fn compile(out: &Path) -> (Value, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_pg2znb"))
        .args(["compile", fixture().to_str().unwrap(), "-o"])
        .arg(out)
        .output()
        .unwrap();
    // Exit 1: error findings (the statements moved to unsupported.sql).
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("report.html"), "the summary names report.html");
    let report = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    (report, std::fs::read_to_string(out.join("report.html")).unwrap())
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PG2ZNB_CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

/// The DOM of `url` after its scripts ran.
fn dump_dom(chromium: &Path, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .env("HOME", profile.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", chromium.display()));
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{} --dump-dom {url} did not finish in 120 s", chromium.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let o = child.wait_with_output().unwrap();
    let dom = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(dom.contains("</html>"), "no DOM from {url}: {}", String::from_utf8_lossy(&o.stderr));
    dom
}

/// The opening tags that start with `prefix` (`<tr class="row finding"`), each up to its `>`.
fn tags<'a>(dom: &'a str, prefix: &str) -> Vec<&'a str> {
    dom.match_indices(prefix).map(|(at, _)| &dom[at..at + dom[at..].find('>').unwrap()]).collect()
}

/// Each `<tr>` starting with `prefix`: its opening tag and the whole row.
fn elements<'a>(dom: &'a str, prefix: &str) -> Vec<(&'a str, &'a str)> {
    dom.match_indices(prefix)
        .map(|(at, _)| (&dom[at..at + dom[at..].find('>').unwrap()], &dom[at..at + dom[at..].find("</tr>").unwrap()]))
        .collect()
}

/// The text of the element with `id` (no nested elements).
fn by_id<'a>(dom: &'a str, id: &str) -> &'a str {
    let open = format!("id=\"{id}\">");
    let at = dom.find(&open).unwrap_or_else(|| panic!("no #{id} in the DOM")) + open.len();
    &dom[at..at + dom[at..].find('<').unwrap()]
}

fn count(v: &Value, path: &[&str]) -> u64 {
    path.iter().fold(v, |v, k| &v[k]).as_u64().unwrap_or_else(|| panic!("{path:?} in report.json"))
}

#[test]
fn report_html_renders_the_numbers_of_report_json() {
    let dir = tempfile::tempdir().unwrap();
    let (report, html) = compile(&dir.path().join("a"));

    // Self-contained, escaped and deterministic, before any browser.
    for external in ["<link", "src=\"http", "@import", "url(http"] {
        assert!(!html.contains(external), "report.html loads something ({external})");
    }
    assert_eq!(html.matches("<script").count(), 1, "only report.html's own script: statement text is escaped");
    assert!(html.contains("&lt;/script&gt;&lt;script&gt;alert("), "the default's text is shown, escaped");
    let (_, again) = compile(&dir.path().join("b"));
    assert!(again == html, "the same input gives the same bytes");

    let Some(chromium) = chromium() else {
        if std::env::var_os("PG2ZNB_REQUIRE_PG").is_some() {
            panic!(
                "no Chromium (PG2ZNB_CHROMIUM, chromium, chromium-browser, google-chrome) and PG2ZNB_REQUIRE_PG is set"
            );
        }
        eprintln!("report_html: skipped the browser checks: no Chromium (set PG2ZNB_CHROMIUM or install chromium)");
        return;
    };
    let file = dir.path().join("a/report.html");
    let url = format!("file://{}", file.display());
    let dom = dump_dom(&chromium, &url);

    // The script ran: it counted the rows.
    assert!(by_id(&dom, "shown").ends_with(" rows"), "{}", by_id(&dom, "shown"));

    // The summary's numbers are report.json's.
    for sev in ["error", "warning", "info"] {
        assert_eq!(
            by_id(&dom, &format!("n-{sev}")),
            count(&report, &["summary", "diagnostics", sev]).to_string(),
            "{sev}"
        );
    }
    assert!(
        count(&report, &["summary", "diagnostics", "error"]) > 0
            && count(&report, &["summary", "diagnostics", "warning"]) > 0
    );
    assert_eq!(by_id(&dom, "n-statements"), count(&report, &["summary", "input_statements"]).to_string());
    assert_eq!(by_id(&dom, "n-unsupported"), count(&report, &["summary", "unsupported"]).to_string());
    for (phase, n) in report["summary"]["phases"].as_object().unwrap() {
        assert_eq!(by_id(&dom, &format!("n-{phase}")), n.to_string(), "{phase}");
    }
    assert_eq!(by_id(&dom, "engine"), format!("PostgreSQL {} engine", report["target_postgres"].as_str().unwrap()));

    // Every code, with its count, and one finding row per diagnostic.
    let codes = report["summary"]["codes"].as_object().unwrap();
    assert!(codes.len() >= 3, "{codes:?}");
    for (code, n) in codes {
        let cell = format!("<td class=\"num\" data-code=\"{code}\">{n}</td>");
        assert!(dom.contains(&cell), "{cell}");
        let rows = tags(&dom, &format!("<tr class=\"row finding\" data-code=\"{code}\""));
        assert_eq!(rows.len() as u64, n.as_u64().unwrap(), "rows of {code}");
    }
    assert_eq!(tags(&dom, "<tr class=\"row finding\"").len(), report["diagnostics"].as_array().unwrap().len());
    assert!(dom.contains("<span class=\"lbl\">fixed</span>"), "an applied fix with before → after");

    // What moved to unsupported.sql: one row and one graph node each.
    let moved: Vec<u64> = report["statements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["fate"] == "dropped" && s["kind"] != "copy_data")
        .map(|s| s["id"].as_u64().unwrap())
        .collect();
    assert!(moved.len() >= 3, "{moved:?}");
    assert_eq!(moved.len() as u64, count(&report, &["summary", "unsupported"]) - 1, "and one COPY data block");
    let rows = tags(&dom, "<tr class=\"row moved\"");
    let nodes = tags(&dom, "<g class=\"node moved\"");
    assert_eq!(rows.len(), moved.len());
    assert_eq!(nodes.len(), moved.len(), "one SVG node per moved statement");
    for id in &moved {
        assert!(nodes.iter().any(|t| t.contains(&format!("data-id=\"{id}\""))), "node for statement {id}");
    }
    // The view followed the table it needs: an edge between their nodes.
    assert!(dom.contains("class=\"edge\""), "moved-with edges are drawn");

    // The search box, through its test hook: only rows mentioning the code stay visible (its
    // findings, findings whose text names it, statements it rewrote).
    let code = "ZN101";
    assert!(codes.contains_key(code), "{codes:?}");
    let dom = dump_dom(&chromium, &format!("{url}?q={code}"));
    let rows = elements(&dom, "<tr class=\"row ");
    assert!(rows.len() > 10, "{}", rows.len());
    for (tag, whole) in &rows {
        assert_eq!(tag.contains("hidden"), !whole.contains(code), "{whole}");
    }
    let findings: Vec<_> = rows.iter().filter(|(t, _)| t.starts_with("<tr class=\"row finding\"")).collect();
    let own = findings.iter().filter(|(t, _)| t.contains(&format!("data-code=\"{code}\""))).count();
    assert_eq!(own as u64, codes[code].as_u64().unwrap());
    assert!(findings.iter().any(|(t, _)| t.contains("hidden")), "other findings are hidden");
    let statements: Vec<_> = rows.iter().filter(|(t, _)| t.starts_with("<tr class=\"row statement\"")).collect();
    assert!(
        statements.iter().any(|(t, _)| !t.contains("hidden")) && statements.iter().any(|(t, _)| t.contains("hidden"))
    );
    let shown = by_id(&dom, "shown");
    assert!(shown.contains(" of ") && shown.ends_with("rows match"), "{shown}");
}
