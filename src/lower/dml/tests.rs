use super::*;
use crate::ir::dml::{DmlItem, Fact};

/// (what, text at the span) of every item of a one-statement script.
fn items(sql: &str) -> Vec<(String, String)> {
    let parsed = pg_query::parse(sql, 0).unwrap();
    let node = parsed.protobuf.stmts[0].stmt.as_ref().unwrap().node.as_ref().unwrap().clone();
    let f = facts(&node, sql).map(|f| f.items).unwrap_or_default();
    f.iter().map(|i| (describe(i), sql[i.span.start..i.span.end].to_string())).collect()
}

fn describe(i: &DmlItem) -> String {
    let what = match &i.fact {
        Fact::Call(c) => format!(
            "call {}{}{}",
            c.schema.as_deref().map(|s| format!("{s}.")).unwrap_or_default(),
            c.name,
            if c.syntax { " (syntax)" } else { "" }
        ),
        Fact::SystemColumn(c) => format!("system_column {}", c.name),
        Fact::Lock(l) => format!("lock {}", l.mode),
        Fact::Transaction(t) => format!("transaction {} {}", t.kind, t.isolation.as_deref().unwrap_or("-")),
        Fact::SelectLocking(l) => format!("locking {} nowait={} skip={}", l.strength, l.nowait, l.skip_locked),
        Fact::Cursor(c) => format!("cursor {} {}", c.kind, c.construct),
        Fact::Construct(c) => format!("construct {} {}", c.kind, c.detail.as_deref().unwrap_or("-")),
    };
    match &i.context.routine {
        Some(r) => format!("{what} in {r}{}", if i.context.dynamic { " (execute)" } else { "" }),
        None => what,
    }
}

fn has(items: &[(String, String)], what: &str, text: &str) -> bool {
    items.iter().any(|(w, t)| w == what && t == text)
}

#[track_caller]
fn assert_has(sql: &str, what: &str, text: &str) {
    let got = items(sql);
    assert!(has(&got, what, text), "{what} at `{text}` not in {got:#?}");
}

#[test]
fn calls_keep_their_schema_and_position() {
    let got = items("SELECT pg_catalog.now(), app.xpath('x'), lower(name) FROM t");
    assert!(has(&got, "call pg_catalog.now", "pg_catalog.now"), "{got:?}");
    assert!(has(&got, "call app.xpath", "app.xpath"), "{got:?}");
    assert!(has(&got, "call lower", "lower"), "{got:?}");
}

#[test]
fn sql_syntax_that_reads_like_a_call() {
    assert_has("SELECT xmlelement(name a, 'x')", "call xmlelement (syntax)", "xmlelement");
    assert_has("SELECT JSON_OBJECT('a': 1)", "call json_object (syntax)", "JSON_OBJECT");
    assert_has("SELECT * FROM JSON_TABLE(j, '$' COLUMNS (a int)) AS jt", "call json_table (syntax)", "JSON_TABLE");
    assert_has("SELECT JSON_VALUE(j, '$.a') FROM t", "call json_value (syntax)", "JSON_VALUE");
    assert_has("SELECT * FROM XMLTABLE('/r' PASSING x COLUMNS a int) AS x", "call xmltable (syntax)", "XMLTABLE");
    // The predicate is underlined, not its operand.
    assert_has("SELECT j IS JSON OBJECT FROM t", "call IS JSON (syntax)", "IS JSON OBJECT");
    assert_has(
        "SELECT '[1]' IS NOT JSON ARRAY WITH UNIQUE KEYS",
        "call IS JSON (syntax)",
        "IS NOT JSON ARRAY WITH UNIQUE KEYS",
    );
    assert_has("SELECT (a IS NULL)::text IS JSON, 1", "call IS JSON (syntax)", "IS JSON");
    // Legacy json_object(text[]) is an ordinary function.
    assert_has("SELECT json_object('{a,1}')", "call pg_catalog.json_object", "json_object");
}

#[test]
fn system_columns_but_not_aliases_with_their_names() {
    let got = items("SELECT xmin, t.ctid FROM t WHERE xmax <> 0");
    assert!(has(&got, "system_column xmin", "xmin"), "{got:?}");
    assert!(has(&got, "system_column ctid", "t.ctid"), "{got:?}");
    assert!(has(&got, "system_column xmax", "xmax"), "{got:?}");
    assert!(items("SELECT xmin FROM (SELECT min(x) AS xmin FROM pts) b").iter().all(|(w, _)| !w.starts_with("system")));
    assert!(items("SELECT backend_xmin FROM pg_stat_replication").iter().all(|(w, _)| !w.starts_with("system")));
}

#[test]
fn locks_transactions_and_isolation() {
    assert_has("LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE", "lock share_row_exclusive", "IN SHARE ROW EXCLUSIVE MODE");
    assert_has("LOCK t", "lock access_exclusive", "LOCK");
    assert_has("BEGIN ISOLATION LEVEL SERIALIZABLE", "transaction begin serializable", "BEGIN");
    assert_has("SET TRANSACTION ISOLATION LEVEL READ COMMITTED", "transaction set_transaction read_committed", "SET");
    assert_has(
        "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        "transaction set_session serializable",
        "SET",
    );
    assert_has("SET default_transaction_isolation = 'read committed'", "transaction set_default read_committed", "SET");
    assert_has(
        "ALTER DATABASE app SET default_transaction_isolation TO 'serializable'",
        "transaction set_default serializable",
        "ALTER",
    );
    assert_has("PREPARE TRANSACTION 'x'", "transaction prepare -", "PREPARE");
    assert_has("COMMIT PREPARED 'x'", "transaction commit_prepared -", "COMMIT");
    assert_has("ROLLBACK TO SAVEPOINT a", "transaction rollback_to -", "ROLLBACK");
}

#[test]
fn row_locks_at_their_clause() {
    let sql = "SELECT * FROM a JOIN b USING (id) FOR NO KEY UPDATE OF a NOWAIT FOR SHARE OF b SKIP LOCKED";
    assert_has(sql, "locking no_key_update nowait=true skip=false", "FOR NO KEY UPDATE");
    assert_has(sql, "locking share nowait=false skip=true", "FOR SHARE");
    assert_has("SELECT 1 FROM t FOR UPDATE", "locking update nowait=false skip=false", "FOR UPDATE");
}

#[test]
fn cursors() {
    assert_has("DECLARE c SCROLL CURSOR FOR SELECT 1", "cursor declare DECLARE … SCROLL CURSOR", "SCROLL");
    assert_has("FETCH PRIOR FROM c", "cursor fetch FETCH PRIOR", "FETCH PRIOR");
    assert_has("MOVE LAST IN c", "cursor move MOVE LAST", "MOVE LAST");
    assert_has("FETCH -2 FROM c", "cursor fetch FETCH -2", "FETCH -2");
    assert!(items("FETCH NEXT FROM c").is_empty());
    assert!(items("FETCH 10 FROM c").is_empty());
    assert_has("UPDATE t SET a = 1 WHERE CURRENT OF c", "cursor current_of WHERE CURRENT OF", "CURRENT OF");
}

#[test]
fn syntax_constructs() {
    assert_has("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", "construct merge -", "MERGE");
    assert_has("SELECT * FROM t ORDER BY a FETCH FIRST 3 ROWS WITH TIES", "construct fetch_with_ties -", "WITH TIES");
    assert_has(
        "WITH x AS NOT MATERIALIZED (SELECT 1) SELECT * FROM x",
        "construct cte_materialized NOT MATERIALIZED",
        "NOT MATERIALIZED",
    );
    assert_has("COPY t FROM stdin WHERE a > 1", "construct copy_where -", "WHERE");
    assert_has("COPY t FROM stdin (ON_ERROR ignore)", "construct copy_on_error -", "ON_ERROR");
    assert_has("SELECT 0x1F, 1_000 FROM t", "construct non_decimal_literal 0x1F", "0x1F");
    assert_has("SELECT 0x1F, 1_000 FROM t", "construct non_decimal_literal 1_000", "1_000");
    assert_has("LISTEN jobs", "construct listen jobs", "LISTEN");
    assert_has("NOTIFY jobs, 'x'", "construct notify jobs", "NOTIFY");
    assert_has("SELECT pg_notify('jobs', 'x')", "call pg_notify", "pg_notify");
}

#[test]
fn subscripts_by_string_constants() {
    assert_has("SELECT doc['a']['b'] FROM t", "construct subscript a", "doc['a']['b']");
    assert_has("SELECT (j::jsonb)['k'] FROM t", "construct subscript k", "(j::jsonb)['k']");
    assert_has("UPDATE t SET doc['a'] = '1'", "construct subscript a", "'a'");
    assert!(items("SELECT arr[1], arr[2:3] FROM t").is_empty());
}

#[test]
fn the_walk_reaches_defaults_checks_indexes_views_and_sql_bodies() {
    let t = "CREATE TABLE t (a bigint DEFAULT txid_current(), b xml CHECK (xpath_exists('/a', b)))";
    assert_has(t, "call txid_current", "txid_current");
    assert_has(t, "call xpath_exists", "xpath_exists");
    assert_has("CREATE INDEX i ON t ((lower(doc['k'])))", "construct subscript k", "doc['k']");
    assert_has("CREATE VIEW v AS SELECT ctid FROM t", "system_column ctid", "ctid");
    assert_has(
        "CREATE FUNCTION f() RETURNS bigint LANGUAGE sql RETURN txid_current()",
        "call txid_current",
        "txid_current",
    );
    assert_has("SELECT a FROM t UNION SELECT xmin::text FROM u", "system_column xmin", "xmin");
}

#[test]
fn plpgsql_bodies_are_linted_at_the_offending_token() {
    let sql = "CREATE FUNCTION app.f(x int) RETURNS void LANGUAGE plpgsql AS $fn$\n\
               DECLARE\n  n int := 0;\nBEGIN\n  IF x > 0 THEN\n    PERFORM pg_advisory_lock(x);\n  ELSE\n\
               \x20   SELECT count(*) INTO n\n      FROM t WHERE xmin::text = '1';\n  END IF;\n\
               \x20 EXECUTE 'LISTEN foo';\n  EXECUTE format('SELECT %I', x);\n  EXECUTE 'SELECT ' || x;\nEND\n$fn$;";
    let got = items(sql);
    assert!(has(&got, "call pg_advisory_lock in app.f", "pg_advisory_lock"), "{got:#?}");
    let at = sql.find("pg_advisory_lock").unwrap();
    let parsed = pg_query::parse(sql, 0).unwrap();
    let node = parsed.protobuf.stmts[0].stmt.as_ref().unwrap().node.as_ref().unwrap().clone();
    let f = facts(&node, sql).unwrap();
    let lock = f.items.iter().find(|i| matches!(&i.fact, Fact::Call(c) if c.name == "pg_advisory_lock")).unwrap();
    assert_eq!(lock.span.start, at);
    assert!(has(&got, "system_column xmin in app.f", "xmin"), "{got:#?}");
    assert!(has(&got, "construct listen foo in app.f (execute)", "LISTEN"), "{got:#?}");
    assert!(got.iter().any(|(w, t)| w == "construct dynamic_sql - in app.f" && t == "format"), "{got:#?}");
    let dynamic = f.items.iter().find_map(|i| match &i.fact {
        Fact::Construct(c) if c.kind == "dynamic_sql" => Some(c.count),
        _ => None,
    });
    assert_eq!(dynamic, Some(2), "one finding for the routine, counting both dynamic EXECUTEs");
}

#[test]
fn trigger_functions_quoted_bodies_do_blocks_and_sql_bodies() {
    let trg = "CREATE FUNCTION public.trg() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  \
               NEW.v := txid_current();\n  RETURN NEW;\nEND $$;";
    assert_has(trg, "call txid_current in public.trg", "txid_current");
    let quoted = "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS 'BEGIN PERFORM xpath(''/a'', x); END';";
    assert_has(quoted, "call xpath in f", "xpath");
    assert_has("DO $$ BEGIN PERFORM pg_notify('a', 'b'); END $$;", "call pg_notify in DO", "pg_notify");
    let sqlf = "CREATE FUNCTION g() RETURNS xid LANGUAGE sql AS $$ SELECT xmin FROM t LIMIT 1 $$;";
    assert_has(sqlf, "system_column xmin in g", "xmin");
    // A variable named like a system column is not one.
    let var =
        "CREATE FUNCTION h() RETURNS int LANGUAGE plpgsql AS $$ DECLARE xmin int := 1; BEGIN RETURN xmin; END $$;";
    assert!(items(var).iter().all(|(w, _)| !w.starts_with("system")), "{:?}", items(var));
}

#[test]
fn plpgsql_cursors() {
    let sql = "CREATE FUNCTION c() RETURNS void LANGUAGE plpgsql AS $$\nDECLARE\n  cur SCROLL CURSOR FOR SELECT 1;\n  \
               v int;\nBEGIN\n  OPEN cur;\n  FETCH PRIOR FROM cur INTO v;\n  MOVE LAST FROM cur;\nEND $$;";
    let got = items(sql);
    assert!(has(&got, "cursor declare SCROLL CURSOR in c", "SCROLL"), "{got:#?}");
    assert!(has(&got, "cursor fetch FETCH PRIOR in c", "FETCH PRIOR"), "{got:#?}");
    assert!(has(&got, "cursor move MOVE LAST in c", "MOVE LAST"), "{got:#?}");
}

fn lowered(sql: &str) -> crate::ir::Ir {
    let pack = crate::rules::RulePack { targets: crate::rules::Targets::builtin(), rules: Vec::new() };
    let c = crate::compile::compile(vec![SourceFile::new("x.sql", sql)], &pack, &Default::default());
    c.ir
}

fn calls(ir: &crate::ir::Ir) -> Vec<(String, bool)> {
    ir.stmts
        .iter()
        .flat_map(|s| s.dml.iter().flat_map(|d| d.items.iter()))
        .filter_map(|i| match &i.fact {
            Fact::Call(c) => Some((
                format!("{}{}", c.schema.as_deref().map(|s| format!("{s}.")).unwrap_or_default(), c.name),
                c.builtin,
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn a_user_function_on_the_search_path_is_not_the_builtin() {
    let ir = lowered(
        "CREATE FUNCTION app.xpath(t text) RETURNS text LANGUAGE sql AS $$ SELECT t $$;\n\
         SELECT app.xpath('a'), pg_catalog.xpath('/a', x), xpath('/a', x) FROM t;\n\
         SET search_path = app, public;\n\
         SELECT xpath('a');\n\
         SELECT sqlc.arg(id);\n",
    );
    assert_eq!(
        calls(&ir),
        vec![
            ("app.xpath".to_string(), false),
            ("pg_catalog.xpath".to_string(), true),
            ("xpath".to_string(), true),
            ("xpath".to_string(), false),
            ("sqlc.arg".to_string(), false),
        ]
    );
}

#[test]
fn ddl_and_truncate_inside_transaction_blocks() {
    let ir = lowered(
        "CREATE TABLE a (id int);\nBEGIN;\nCREATE TABLE b (id int);\nALTER TABLE b ADD c int;\nTRUNCATE a;\nCOMMIT;\n\
         TRUNCATE a;\nSTART TRANSACTION;\nINSERT INTO a VALUES (1);\nEND;\n",
    );
    let found: Vec<(usize, String, Option<String>, usize)> = ir
        .stmts
        .iter()
        .flat_map(|s| {
            s.dml.iter().flat_map(|d| d.items.iter()).filter_map(move |i| match &i.fact {
                Fact::Construct(c) => Some((s.id, c.kind.clone(), c.detail.clone(), c.count)),
                _ => None,
            })
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (2, "ddl_in_transaction".to_string(), Some("CREATE TABLE".to_string()), 2),
            (4, "truncate_in_transaction".to_string(), None, 1),
        ]
    );
}
