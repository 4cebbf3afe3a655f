//! `parley bench`: generates a big workspace (by default 1 000 000
//! conversations and 5 000 000 messages) into a throwaway SQLite file, or
//! reuses one generated before, then reports p50/p95/p99/max server time of
//! list pages (each view and sort, 10 000 rows deep, each filter), search
//! and a bulk status change, against the targets of the issue.

mod cases;
mod measure;
mod plan;
mod rows;
mod seed;
mod stats;
mod text;

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use app::conversations::model::{ListFilter, View};

use crate::config::BenchArgs;
use measure::{Bench, Measured};
use seed::{Found, Size};
use stats::ms;

/// Runs the whole benchmark.
pub async fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let size = Size { conversations: args.conversations, messages: args.messages };
    seed::check(size)?;
    // The default database lives in a temporary directory removed when
    // `temp_dir` drops, at the end of the run.
    let (url, temp_dir) = match &args.database_url {
        Some(url) => (url.clone(), None),
        None => {
            let dir =
                tempfile::Builder::new().prefix("parley-bench-").tempdir().context("creating a temporary directory")?;
            (format!("sqlite://{}/bench.db?mode=rwc", dir.path().display()), Some(dir))
        }
    };
    let opts = crate::Options {
        database_url: url.clone(),
        public_url: "http://localhost:3000".into(),
        site_addr: ([127, 0, 0, 1], 0).into(),
        inbound_domain: "inbound.localhost".into(),
        // Nothing the bench does stores an attachment.
        data_dir: std::env::temp_dir().join("parley-bench-data"),
    };
    eprintln!(
        "database: {url}{}",
        if temp_dir.is_some() { " (temporary; pass --database-url to keep it)" } else { "" }
    );
    let mut state = crate::state(&opts).await?;
    let mut generation = None;
    match seed::inspect(&state.db).await? {
        Found::Bench(found) if found == size => {
            eprintln!("the database already holds this bench workspace: skipping generation");
        }
        Found::Bench(found) => bail!(
            "{url} holds a bench workspace of {} conversations and {} messages: pass those sizes, or another --database-url",
            found.conversations,
            found.messages
        ),
        Found::Unfinished => {
            bail!("{url} holds a bench workspace whose generation did not finish: delete it, or pass another --database-url")
        }
        Found::Other => bail!("{url} holds data that is not a bench workspace: refusing to touch it"),
        Found::Empty => {
            let t = Instant::now();
            seed::generate(&state.db, &url, size).await?;
            generation = Some(t.elapsed());
            // Fresh connections, so every measurement sees the finished
            // schema and the statistics ANALYZE gathered.
            state.db.pool.close().await;
            state.db.writer.close().await;
            state = crate::state(&opts).await?;
        }
    }
    let ws = seed::workspace(&state.db).await?;

    let mut out = String::new();
    out.push_str(&format!(
        "parley bench: {} conversations, {} messages; up to {} samples per measurement after one warm-up call \
         (each stops after {} s once it has {}; the parts after {} s); {} cores\n",
        size.conversations,
        size.messages,
        args.runs,
        measure::BUDGET.as_secs(),
        measure::MIN_SAMPLES,
        measure::PARTS_BUDGET.as_secs(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    ));
    match generation {
        Some(d) => out.push_str(&format!("generated in {}\n", seed::secs(d))),
        None => out.push_str("reused a workspace generated earlier (no generation this run)\n"),
    }
    if let Some(bytes) = file_size(&url) {
        out.push_str(&format!("database file: {:.2} GB\n", bytes as f64 / 1e9));
    }
    out.push_str(&describe(&state.db, &ws).await?);

    let bench = Bench { db: &state.db, hub: &state.hub, ws: &ws, runs: args.runs };
    if args.explain {
        out.push_str(&plan::explain(&bench, |name| eprintln!("explaining {name}")).await);
        println!("{out}");
        return Ok(());
    }
    let started = Instant::now();
    // Other work on the machine shows in the timings: say how busy it was.
    let load_before = load_average();
    let results = bench.all(|name| eprintln!("measuring {name}")).await;
    out.push_str(&format!(
        "measured in {}; load average (1 min) {} before, {} after\n",
        seed::secs(started.elapsed()),
        load_before,
        load_average()
    ));

    out.push_str("\nServer time of each request (the app function the server calls), in milliseconds:\n\n");
    let rows: Vec<stats::Row> = results.iter().map(|m| m.row.clone()).collect();
    out.push_str(&stats::table(&rows));
    out.push_str(&parts_table(&results));
    out.push_str(&verdict(&rows));
    println!("{out}");
    Ok(())
}

/// What the workspace holds: the size of each view and how often the
/// searched words occur, so the timings can be read against them.
async fn describe(db: &app::db::Db, ws: &seed::Workspace) -> anyhow::Result<String> {
    let mut s = String::from("rows per view:");
    for view in [View::AllOpen, View::Mine, View::Unassigned, View::MyUnread, View::All] {
        let f = ListFilter { view, ..ListFilter::default() };
        let n = measure::rows_in(db, ws, &f).await.map_err(|e| anyhow::anyhow!("counting {}: {e}", view.as_str()))?;
        s.push_str(&format!(" {} {n};", view.as_str()));
    }
    s.push_str("\nmessages containing:");
    for q in [
        text::COMMON_WORD.to_string(),
        text::RARE_WORD.to_string(),
        format!("\"{}\"", text::PHRASE),
        text::TWO_WORDS.to_string(),
    ] {
        let fts = app::search::parse(&q).map_err(|e| anyhow::anyhow!("{e}"))?.to_fts();
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH ?")
            .bind(&fts)
            .fetch_one(&db.pool)
            .await?;
        s.push_str(&format!(" {q} {n};"));
    }
    s.push('\n');
    Ok(s)
}

/// Where each list page's time goes: its rows query and its count, each
/// timed alone (p95), next to the whole call.
fn parts_table(results: &[Measured]) -> String {
    let mut s = format!(
        "\nWhere a list page's time goes (p95 ms): the rows query alone, the COUNT(*) that list() runs for the total, \
         and a COUNT capped at {} rows:\n\n| measurement | rows matched | list() | rows query | COUNT(*) | capped COUNT |\n|---|---:|---:|---:|---:|---:|\n",
        measure::COUNT_CAP + 1
    );
    let p95 =
        |r: &Result<stats::Summary, String>| r.as_ref().map(|s| ms(s.p95)).unwrap_or_else(|e| format!("error: {e}"));
    for m in results {
        let Some(p) = &m.parts else { continue };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            m.row.name,
            p.matched.map(|n| n.to_string()).unwrap_or_else(|| "?".into()),
            p95(&m.row.result),
            p95(&p.rows),
            p95(&p.count),
            p95(&p.capped_count)
        ));
    }
    s
}

/// The closing lines: how many targets were met, and which were not.
fn verdict(rows: &[stats::Row]) -> String {
    let missed: Vec<&stats::Row> = rows.iter().filter(|r| matches!(r.verdict(), "FAIL" | "ERROR")).collect();
    let skipped = rows.iter().filter(|r| r.verdict() == "SKIP").count();
    let mut s = format!(
        "\n{} of {} measurements meet their target ({skipped} skipped).\n",
        rows.len() - missed.len() - skipped,
        rows.len() - skipped
    );
    for r in missed {
        let what = match &r.result {
            Ok(sum) => format!("p95 {} ms", ms(sum.p95)),
            Err(e) => e.clone(),
        };
        let target = r.target.map(|t: Duration| t.as_millis().to_string()).unwrap_or_default();
        s.push_str(&format!("  missed: {} ({what}; target {target} ms)\n", r.name));
    }
    s
}

/// The 1-minute load average (Linux), or "?".
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// The size of an `sqlite://` database file (with its WAL), if it is one.
fn file_size(url: &str) -> Option<u64> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?.split('?').next()?;
    let main = std::fs::metadata(path).ok()?.len();
    let wal = std::fs::metadata(format!("{path}-wal")).map(|m| m.len()).unwrap_or(0);
    Some(main + wal)
}
