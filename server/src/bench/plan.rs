//! `parley bench --explain`: the query plan SQLite chooses for each list
//! measurement's two statements (the page's rows and its count), on this
//! database with its ANALYZE statistics and with the SQLite the server is
//! built with — which is what decides whether a page is an index range or
//! a scan. Printed instead of timings.

use std::collections::HashMap;

use app::conversations::server::{list_query, SUMMARY_SQL};
use sqlx::{QueryBuilder, Sqlite};

use super::cases::cases;
use app::conversations::server::count_query;

use super::measure::{cursor_key, narrowing, Bench, PAGE};

/// The plans of every list measurement, as Markdown.
pub async fn explain(bench: &Bench<'_>, mut progress: impl FnMut(&str)) -> String {
    let who = &bench.ws.who;
    let mut out = String::from("\nQuery plans (EXPLAIN QUERY PLAN) of each list measurement:\n");
    for case in cases(bench.ws) {
        progress(&case.name);
        out.push_str(&format!("\n### {}\n\n", case.name));
        let cursor = if case.deep {
            match bench.cursor_at_depth(&case.filter).await {
                Ok(Ok(c)) => Some(c),
                Ok(Err(rows)) => {
                    out.push_str(&format!("skipped: the view has only {rows} rows\n"));
                    continue;
                }
                Err(e) => {
                    out.push_str(&format!("error: {e}\n"));
                    continue;
                }
            }
        } else {
            None
        };
        let n = match narrowing(bench.db, who, &case.filter).await {
            Ok(n) => n,
            Err(e) => {
                out.push_str(&format!("error: {e}\n"));
                continue;
            }
        };
        let key = cursor_key(cursor.as_deref());
        let head = format!("EXPLAIN QUERY PLAN {SUMMARY_SQL}");
        let rows = list_query(&head, who, &case.filter, &n, key.as_deref(), PAGE + 1);
        out.push_str(&format!("reach: {:?}\nrows query:\n```\n", n.reach));
        out.push_str(&plan(bench, rows).await);
        out.push_str("```\ncount:\n```\n");
        let count =
            count_query("EXPLAIN QUERY PLAN ", who, &case.filter, &n, Some(app::conversations::model::COUNT_CAP + 1));
        out.push_str(&plan(bench, count).await);
        out.push_str("```\n");
    }
    out
}

/// One statement's plan as SQLite's shell prints it: a tree of steps.
async fn plan(bench: &Bench<'_>, mut qb: QueryBuilder<'_, Sqlite>) -> String {
    let steps: Vec<(i64, i64, i64, String)> = match qb.build_query_as().fetch_all(&bench.db.pool).await {
        Ok(steps) => steps,
        Err(e) => return format!("error: {e}\n"),
    };
    let mut depth: HashMap<i64, usize> = HashMap::new();
    let mut out = String::new();
    for (id, parent, _, detail) in steps {
        let d = depth.get(&parent).map_or(0, |d| d + 1);
        depth.insert(id, d);
        out.push_str(&format!("{}{detail}\n", "  ".repeat(d)));
    }
    out
}
