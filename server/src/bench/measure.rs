//! The measurements: each times the app function the server calls for that
//! request (`conversations::server::list` for list and search pages,
//! `conversations::bulk::bulk_patch` for the bulk bar), acting as the
//! bench admin. List and search rows also time their two SQL statements
//! alone — the page's rows and its `COUNT(*)` — to show where the time goes.

use std::time::{Duration, Instant};

use app::conversations::model::{BulkTarget, ConversationPatch, ListFilter, Status};
use app::conversations::server::{count_query, list, list_query, Narrowing, SUMMARY_SQL};
use app::db::Db;
use app::error::AppResult;
use app::ids::ConversationId;
use app::live::server::Hub;

use super::cases::{cases, DEPTH};
use super::seed::Workspace;
use super::stats::{Row, Summary};

/// The page the inbox asks for (`conversations::api::list_conversations`).
pub const PAGE: i64 = 30;
/// The count a capped `COUNT(*)` stops at: "10 000+" is all a person reads
/// from a bigger number.
pub const COUNT_CAP: i64 = 10_000;

/// The target for a bulk change of 100 (p95).
pub const BULK_TARGET: Duration = Duration::from_millis(200);

/// A measurement stops sampling after this long, once it has
/// [`MIN_SAMPLES`]: a page that takes half a second would otherwise hold
/// the run for minutes without saying more. Its parts (each statement
/// alone) get half as long: they only say where the time goes.
pub const BUDGET: Duration = Duration::from_secs(10);
pub const PARTS_BUDGET: Duration = Duration::from_secs(5);
pub const MIN_SAMPLES: usize = 5;

/// A measured row, with where a list page's time goes when it applies.
pub struct Measured {
    pub row: Row,
    /// The page's rows query alone, the uncapped count, the capped count.
    pub parts: Option<Parts>,
}

pub struct Parts {
    /// How many conversations the list matches (the uncapped count).
    pub matched: Option<i64>,
    pub rows: Result<Summary, String>,
    pub count: Result<Summary, String>,
    pub capped_count: Result<Summary, String>,
}

pub struct Bench<'a> {
    pub db: &'a Db,
    pub hub: &'a Hub,
    pub ws: &'a Workspace,
    pub runs: usize,
}

impl Bench<'_> {
    /// Times `f` up to `runs` times after one untimed warm-up call (the
    /// first read of an index pays for loading its pages from disk into
    /// SQLite's cache, which no later request does).
    async fn sample(
        &self,
        budget: Duration,
        mut f: impl AsyncFnMut(usize) -> AppResult<()>,
    ) -> Result<Summary, String> {
        f(0).await.map_err(|e| e.to_string())?;
        let started = Instant::now();
        let mut samples = vec![];
        for i in 1..=self.runs {
            let t = Instant::now();
            f(i).await.map_err(|e| e.to_string())?;
            samples.push(t.elapsed());
            if samples.len() >= MIN_SAMPLES && started.elapsed() > budget {
                break;
            }
        }
        Summary::of(&samples).ok_or_else(|| "no samples (--runs 0)".into())
    }

    /// One list page (first when `cursor` is `None`) as the server serves
    /// it, and its two statements alone.
    pub async fn page(&self, name: String, f: &ListFilter, cursor: Option<String>, target: Duration) -> Measured {
        let who = &self.ws.who;
        let result = self
            .sample(BUDGET, async |_| {
                let page = list(self.db, who, f, cursor.as_deref(), PAGE).await?;
                std::hint::black_box(page.items.len());
                Ok(())
            })
            .await;
        let parts = match narrowing(self.db, who, f).await {
            Ok(n) => self.parts(f, &n, cursor.as_deref()).await,
            Err(e) => Parts { matched: None, rows: Err(e.clone()), count: Err(e.clone()), capped_count: Err(e) },
        };
        Measured { row: Row { name, result, skipped: None, target: Some(target) }, parts: Some(parts) }
    }

    async fn parts(&self, f: &ListFilter, n: &Narrowing, cursor: Option<&str>) -> Parts {
        let who = &self.ws.who;
        let key = cursor_key(cursor);
        let rows = self
            .sample(PARTS_BUDGET, async |_| {
                let mut qb = list_query(SUMMARY_SQL, who, f, n, key.as_deref(), PAGE + 1);
                let rows: Vec<app::conversations::model::ConversationSummary> =
                    with_deadline(self.db, n, async |c| Ok(qb.build_query_as().fetch_all(&mut *c).await?)).await?;
                std::hint::black_box(rows.len());
                Ok(())
            })
            .await;
        let matched = count(self.db, who, f, n, None).await.ok();
        let uncapped = self.sample(PARTS_BUDGET, async |_| count(self.db, who, f, n, None).await.map(|_| ())).await;
        let capped =
            self.sample(PARTS_BUDGET, async |_| count(self.db, who, f, n, Some(COUNT_CAP + 1)).await.map(|_| ())).await;
        Parts { matched, rows, count: uncapped, capped_count: capped }
    }

    /// The cursor after row [`DEPTH`] of `f`, walking pages the way a
    /// client scrolling down would (at the largest page the API allows).
    pub async fn cursor_at_depth(&self, f: &ListFilter) -> AppResult<Result<String, usize>> {
        let mut cursor: Option<String> = None;
        let mut seen = 0;
        while seen < DEPTH {
            let want = (DEPTH - seen).min(app::conversations::server::MAX_PAGE as usize) as i64;
            let page = list(self.db, &self.ws.who, f, cursor.as_deref(), want).await?;
            seen += page.items.len();
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(Err(seen)),
            }
        }
        Ok(cursor.ok_or(seen))
    }

    /// Sets the status of 100 conversations at a time through the bulk
    /// bar's function, each sample on conversations no earlier sample
    /// touched. They are taken from the open ones and resolved, so they
    /// leave the open views and a later run on the same database picks
    /// others.
    pub async fn bulk(&self) -> Measured {
        let name = "bulk: resolve 100 open conversations".to_string();
        let per = 100usize;
        let ids: Result<Vec<ConversationId>, sqlx::Error> = sqlx::query_scalar(
            "SELECT id FROM conversations WHERE status IN ('new', 'open', 'pending') AND spam = 0 ORDER BY id LIMIT ?",
        )
        .bind(((self.runs + 1) * per) as i64)
        .fetch_all(&self.db.pool)
        .await;
        let ids = match ids {
            Ok(ids) => ids,
            Err(e) => {
                return Measured {
                    row: Row { name, result: Err(e.to_string()), skipped: None, target: Some(BULK_TARGET) },
                    parts: None,
                }
            }
        };
        let patch = ConversationPatch { status: Some(Status::Resolved), ..ConversationPatch::default() };
        let who = &self.ws.who;
        let result = self
            .sample(BUDGET, async |i| {
                let batch: Vec<ConversationId> = ids.iter().skip(i * per).take(per).copied().collect();
                if batch.len() < per {
                    return Err(app::error::AppError::BadRequest {
                        message: "not enough open conversations left for another sample".into(),
                    });
                }
                let out = app::conversations::bulk::bulk_patch(self.db, self.hub, who, &BulkTarget::Ids(batch), &patch)
                    .await?;
                if out.changed.len() != per {
                    return Err(app::error::AppError::BadRequest { message: out.describe() });
                }
                Ok(())
            })
            .await;
        Measured { row: Row { name, result, skipped: None, target: Some(BULK_TARGET) }, parts: None }
    }

    /// Every measurement of [`cases`], then the bulk change, in table order.
    pub async fn all(&self, mut progress: impl FnMut(&str)) -> Vec<Measured> {
        let mut out = vec![];
        for case in cases(self.ws) {
            progress(&case.name);
            if !case.deep {
                out.push(self.page(case.name, &case.filter, None, case.target).await);
                continue;
            }
            match self.cursor_at_depth(&case.filter).await {
                Ok(Ok(cursor)) => out.push(self.page(case.name, &case.filter, Some(cursor), case.target).await),
                Ok(Err(rows)) => out.push(skipped(case.name, format!("the view has only {rows} rows"), case.target)),
                Err(e) => out.push(failed(case.name, e.to_string(), case.target)),
            }
        }
        progress("bulk");
        out.push(self.bulk().await);
        out
    }
}

/// A measurement that does not apply (a view too small to page that deep).
fn skipped(name: String, why: String, target: Duration) -> Measured {
    Measured { row: Row { name, result: Err(why.clone()), skipped: Some(why), target: Some(target) }, parts: None }
}

fn failed(name: String, why: String, target: Duration) -> Measured {
    Measured { row: Row { name, result: Err(why), skipped: None, target: Some(target) }, parts: None }
}

/// The search parsed and the reach chosen, as `list` does.
pub(super) async fn narrowing(
    db: &Db,
    who: &app::users::server::Principal,
    f: &ListFilter,
) -> Result<Narrowing, String> {
    let mut conn = db.pool.acquire().await.map_err(|e| e.to_string())?;
    Narrowing::plan(&mut conn, who, f).await.map_err(|e| e.to_string())
}

/// `COUNT(*)` of the list's filter, as `list` counts; with `cap`, of at
/// most that many rows.
async fn count(
    db: &Db,
    who: &app::users::server::Principal,
    f: &ListFilter,
    n: &Narrowing,
    cap: Option<i64>,
) -> AppResult<i64> {
    let mut qb = count_query("", who, f, n, cap);
    with_deadline(db, n, async |c| Ok(qb.build_query_scalar().fetch_one(&mut *c).await?)).await
}

/// The key a cursor carries: the sort key joined by '_' (model::encode_cursor).
pub(super) fn cursor_key(cursor: Option<&str>) -> Option<Vec<i64>> {
    cursor.and_then(|c| app::conversations::model::decode_cursor(c, c.split('_').count()))
}

/// Runs `q` on a pooled connection, under the search deadline when there
/// is a search (as `list` does), so a slow search stops at the same point.
async fn with_deadline<T>(
    db: &Db,
    n: &Narrowing,
    q: impl AsyncFnOnce(&mut sqlx::SqliteConnection) -> AppResult<T>,
) -> AppResult<T> {
    let mut conn = db.pool.acquire().await?;
    match n.search {
        Some(_) => app::search::server::with_deadline(&mut conn, app::search::server::DEFAULT_LIMIT, q).await,
        None => q(&mut conn).await,
    }
}

/// How many rows `f` matches (uncapped), for the report.
pub async fn rows_in(db: &Db, ws: &Workspace, f: &ListFilter) -> AppResult<i64> {
    let n = narrowing(db, &ws.who, f).await.map_err(|_| app::error::AppError::Internal)?;
    count(db, &ws.who, f, &n, None).await
}
