//! The list's SQL (conversations/server.rs) and the browser's predicate
//! (`ListFilter::matches`, used to place live updates) must agree, or live
//! updates would put conversations in views that a reload would not show.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use app::conversations::model::{ListFilter, Priority, Sort, Status, View};
use app::conversations::server::{list, list_query};
use app::messages::model::ChannelKind;
use app::users::server::{principal, Principal};

#[tokio::test]
async fn every_view_and_filter_lists_exactly_what_matches_says() {
    let t = common::TestApp::demo().await;
    let db = &t.state.db;
    mark_up_the_demo(&t).await;
    for email in ["admin@demo.parley", "ada@demo.parley", "chloe@demo.parley"] {
        let who = principal(db, t.user_id(email).await).await.unwrap().unwrap();
        // Everything this user may see, from the widest list.
        let everything = {
            let mut all = vec![];
            for view in [View::All, View::Spam] {
                let f = ListFilter { view, ..ListFilter::default() };
                all.extend(list(db, &who, &f, None, 100).await.unwrap().items);
            }
            all
        };
        assert!(everything.len() >= 20, "{email} sees {} conversations", everything.len());
        let statuses = std::iter::once(None).chain(Status::ALL.iter().copied().map(Some));
        for status in statuses {
            for view in View::ALL.iter().copied() {
                for sort in Sort::ALL.iter().copied() {
                    let f = ListFilter { view, status, sort, ..ListFilter::default() };
                    assert_pages_match(&t, &who, &everything, &f, email).await;
                }
            }
        }
        // A label in each view, alone and narrowed by inbox or assignee:
        // the count comes off the label index alone (migration 0011).
        for view in View::ALL.iter().copied() {
            let label = ListFilter { view, label: Some("vip".into()), ..ListFilter::default() };
            for f in [
                label.clone(),
                ListFilter { inbox_id: Some(app::ids::InboxId(1)), ..label.clone() },
                ListFilter { unassigned: true, ..label.clone() },
                ListFilter { assignee_id: Some(who.id), ..label.clone() },
            ] {
                assert_pages_match(&t, &who, &everything, &f, email).await;
            }
        }
    }
}

/// Pages through `f` with small pages (the keyset cursor at work) and
/// checks the rows, their order and the count against `matches`/`before`.
async fn assert_pages_match(
    t: &common::TestApp,
    who: &Principal,
    everything: &[app::conversations::model::ConversationSummary],
    f: &ListFilter,
    email: &str,
) {
    let mut got = vec![];
    let mut cursor = None;
    let want: Vec<_> = everything.iter().filter(|c| f.matches(c, who.id)).cloned().collect();
    loop {
        let page = list(&t.state.db, who, f, cursor.as_deref(), 7).await.unwrap();
        // The first page counts; later pages do not count again.
        let total = page.total.map(|n| n as usize);
        assert_eq!(total, cursor.is_none().then_some(want.len()), "{email}: {f:?}");
        got.extend(page.items.into_iter().map(|c| c.id));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let mut want = want;
    want.sort_by(|a, b| if f.before(a, b) { std::cmp::Ordering::Less } else { std::cmp::Ordering::Greater });
    let want: Vec<_> = want.into_iter().map(|c| c.id).collect();
    assert_eq!(got, want, "{email}: {f:?}");
}

/// Gives the demo's conversations priorities and labels, so those filters
/// and the priority sorts have something to tell apart.
async fn mark_up_the_demo(t: &common::TestApp) {
    let pool = &t.state.db.writer;
    for (i, p) in ["urgent", "high", "medium", "low"].iter().enumerate() {
        sqlx::query("UPDATE conversations SET priority = ? WHERE id % 5 = ?")
            .bind(p)
            .bind(i as i64)
            .execute(pool)
            .await
            .unwrap();
    }
    sqlx::query(
        "INSERT INTO conversation_labels (conversation_id, label) SELECT id, 'VIP' FROM conversations WHERE id % 3 = 0",
    )
    .execute(pool)
    .await
    .unwrap();
}

/// The filters beyond view and status, one at a time.
fn extra_filters(t0: app::time::Timestamp) -> Vec<ListFilter> {
    let d = ListFilter::default();
    let day = 86_400_000;
    let mut out = vec![
        ListFilter { unassigned: true, ..d.clone() },
        ListFilter { label: Some("vip".into()), ..d.clone() },
        ListFilter { created_from: Some(app::time::Timestamp(t0.0 - 3 * day)), ..d.clone() },
        ListFilter { created_to: Some(app::time::Timestamp(t0.0 - 3 * day)), ..d.clone() },
        ListFilter { active_from: Some(app::time::Timestamp(t0.0 - 2 * day)), ..d.clone() },
        ListFilter { active_to: Some(app::time::Timestamp(t0.0 - 2 * day)), ..d.clone() },
        ListFilter { inbox_id: Some(app::ids::InboxId(1)), ..d.clone() },
    ];
    out.extend(Priority::ALL.iter().map(|p| ListFilter { priority: Some(*p), ..d.clone() }));
    out.extend(
        [ChannelKind::Email, ChannelKind::Sms, ChannelKind::Whatsapp, ChannelKind::Widget]
            .into_iter()
            .map(|k| ListFilter { channel: Some(k), ..d.clone() }),
    );
    out
}

#[tokio::test]
async fn every_other_filter_and_sort_lists_exactly_what_matches_says() {
    let t = common::TestApp::demo().await;
    mark_up_the_demo(&t).await;
    let now = app::time::Timestamp::now();
    for email in ["admin@demo.parley", "ada@demo.parley"] {
        let who = principal(&t.state.db, t.user_id(email).await).await.unwrap().unwrap();
        let f = ListFilter { view: View::All, ..ListFilter::default() };
        let everything = list(&t.state.db, &who, &f, None, 100).await.unwrap().items;
        let mut seen_some = 0;
        for base in extra_filters(now) {
            for sort in Sort::ALL.iter().copied() {
                let f = ListFilter { view: View::All, sort, ..base.clone() };
                if everything.iter().any(|c| f.matches(c, who.id)) {
                    seen_some += 1;
                }
                assert_pages_match(&t, &who, &everything, &f, email).await;
            }
        }
        // The filters tell the demo apart: most lists are neither empty nor everything.
        assert!(seen_some > Sort::ALL.len() * 8, "{email}: only {seen_some} non-empty lists");
    }
}

#[tokio::test]
async fn no_row_is_skipped_or_repeated_while_new_conversations_arrive_between_pages() {
    let t = common::TestApp::demo().await;
    let key = t.key_for("admin@demo.parley").await;
    let who = principal(&t.state.db, t.user_id("admin@demo.parley").await).await.unwrap().unwrap();
    for sort in Sort::ALL.iter().copied() {
        let f = ListFilter { view: View::All, sort, ..ListFilter::default() };
        let before: Vec<_> =
            list(&t.state.db, &who, &f, None, 100).await.unwrap().items.into_iter().map(|c| c.id).collect();
        let mut got = vec![];
        let mut cursor = None;
        let mut n = 0;
        loop {
            let page = list(&t.state.db, &who, &f, cursor.as_deref(), 6).await.unwrap();
            got.extend(page.items.into_iter().map(|c| c.id));
            // A customer writes in between pages.
            n += 1;
            let body = serde_json::json!({"contact": {"email": format!("new{n}-{sort}@customer.test")},
                "subject": "Arrived mid-scroll", "message": {"body": "Hello"}});
            t.post("/api/v1/conversations", &key, body).await.data(201);
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        // New conversations sort before the cursor (newest) or after every
        // old row (the queue orders): either way the old rows come once each, in order.
        let old: Vec<_> = got.iter().filter(|id| before.contains(id)).copied().collect();
        assert_eq!(old, before, "sort {sort}");
        let mut unique = got.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), got.len(), "sort {sort}: a row came twice");
    }
}

/// A label in an inbox view lists the label's active conversations (the
/// flag of migration 0010): labelled while resolved, a conversation shows
/// under the label once reopened, and leaves again when it is resolved or
/// marked spam; its count follows.
#[tokio::test]
async fn an_open_label_list_follows_resolving_reopening_and_spam() {
    let t = common::TestApp::demo().await;
    let db = &t.state.db;
    let who = principal(db, t.user_id("admin@demo.parley").await).await.unwrap().unwrap();
    let key = t.key_for("admin@demo.parley").await;
    let conv = t.create_conversation(&key, None, "flag@customer.test", "Watch this").await;
    let id = app::ids::ConversationId(conv["id"].as_i64().unwrap());
    let open = ListFilter { view: View::AllOpen, label: Some("Watch".into()), ..ListFilter::default() };
    let shown = async || {
        let page = list(db, &who, &open, None, 100).await.unwrap();
        (page.items.iter().map(|c| c.id).collect::<Vec<_>>(), page.total)
    };
    let uri = format!("/api/v1/conversations/{}", id.0);
    t.patch(&uri, &key, serde_json::json!({"status": "resolved"})).await.data(200);
    app::conversations::server::set_label(db, &t.state.hub, &who, id, "watch", true).await.unwrap();
    assert_eq!(shown().await, (vec![], Some(0)), "resolved: not in All open");
    t.patch(&uri, &key, serde_json::json!({"status": "open"})).await.data(200);
    assert_eq!(shown().await, (vec![id], Some(1)), "reopened: listed under its label");
    t.patch(&uri, &key, serde_json::json!({"spam": true})).await.data(200);
    assert_eq!(shown().await, (vec![], Some(0)), "spam leaves the label list");
    t.patch(&uri, &key, serde_json::json!({"spam": false})).await.data(200);
    assert_eq!(shown().await, (vec![id], Some(1)), "not spam: back");
    // Assigning and moving carry the label rows along (migration 0011).
    let counted = async |f: &ListFilter| list(db, &who, f, None, 100).await.unwrap().total;
    let mine = ListFilter { view: View::Mine, ..open.clone() };
    let unassigned = ListFilter { view: View::Unassigned, ..open.clone() };
    let inbox = |i: i64| ListFilter { inbox_id: Some(app::ids::InboxId(i)), ..open.clone() };
    let (from, to) = (conv["inboxId"].as_i64().unwrap(), if conv["inboxId"].as_i64() == Some(1) { 2 } else { 1 });
    assert_eq!((counted(&mine).await, counted(&unassigned).await), (Some(0), Some(1)), "nobody's yet");
    t.patch(&uri, &key, serde_json::json!({"assigneeId": who.id.0})).await.data(200);
    assert_eq!((counted(&mine).await, counted(&unassigned).await), (Some(1), Some(0)), "assigned to me");
    t.patch(&uri, &key, serde_json::json!({"inboxId": to})).await.data(200);
    assert_eq!((counted(&inbox(from)).await, counted(&inbox(to)).await), (Some(0), Some(1)), "moved");
    t.patch(&uri, &key, serde_json::json!({"status": "closed"})).await.data(200);
    assert_eq!(shown().await, (vec![], Some(0)), "closed leaves it");
    let all = ListFilter { view: View::All, ..open.clone() };
    let page = list(db, &who, &all, None, 100).await.unwrap();
    assert_eq!(page.items.iter().map(|c| c.id).collect::<Vec<_>>(), vec![id], "All still lists it");
}

/// `EXPLAIN QUERY PLAN` of the list query: every filter, alone and with
/// each view, in every sort, first page and deeper, reads conversations
/// through an index in the sort's order — no table scan, no sorting step —
/// so a list stays instant at any size, and a change cannot quietly bring
/// back a scan. Active views' pages read the partial indexes of active
/// rows, and every count reads an index alone (the covering columns of migration
/// 0008), never the table. A label with few conversations is looked up by
/// id instead (and only then sorted); a common label walks the index.
#[tokio::test]
async fn every_filter_and_sort_is_served_by_an_index() {
    use app::conversations::label_count::answered_by_labels;
    use app::conversations::server::{count_query, range_column, Narrowing, Reach};
    let t = common::TestApp::demo().await;
    // A second channel of each kind: a channel filter is then an `IN` of
    // several ids, which once let SQLite start from the channels and sort.
    sqlx::query(
        "INSERT INTO channels (workspace_id, name, kind, inbox_id, token, created_at)
         SELECT workspace_id, name || ' 2', kind, inbox_id, token || '-2', created_at FROM channels",
    )
    .execute(&t.state.db.writer)
    .await
    .unwrap();
    let now = app::time::Timestamp::now();
    let mut checked = 0;
    let mut bad: Vec<String> = vec![];
    let plan_of = async |mut qb: sqlx::QueryBuilder<'_, sqlx::Sqlite>| -> Vec<String> {
        let rows: Vec<(i64, i64, i64, String)> = qb.build_query_as().fetch_all(&t.state.db.pool).await.unwrap();
        rows.into_iter().map(|r| r.3).collect()
    };
    let reads_c = |plan: &[String]| -> String {
        let d = plan.iter().find(|d| d.starts_with("SCAN c ") || d.starts_with("SEARCH c ") || *d == "SCAN c");
        d.cloned().unwrap_or_else(|| format!("no read of conversations in {plan:?}"))
    };
    for email in ["admin@demo.parley", "ada@demo.parley"] {
        let who = principal(&t.state.db, t.user_id(email).await).await.unwrap().unwrap();
        let mut filters: Vec<ListFilter> =
            View::ALL.iter().map(|v| ListFilter { view: *v, ..ListFilter::default() }).collect();
        filters.extend(Status::ALL.iter().map(|s| ListFilter { status: Some(*s), ..ListFilter::default() }));
        filters.extend(extra_filters(now));
        // A label with each view, inbox, assignee and status.
        let label = ListFilter { label: Some("vip".into()), ..ListFilter::default() };
        filters.extend(View::ALL.iter().map(|v| ListFilter { view: *v, ..label.clone() }));
        filters.push(ListFilter { inbox_id: Some(app::ids::InboxId(1)), ..label.clone() });
        filters.push(ListFilter { assignee_id: Some(who.id), ..label.clone() });
        filters.push(ListFilter { unassigned: true, ..label.clone() });
        filters.push(ListFilter { status: Some(Status::Resolved), ..label.clone() });
        for base in filters {
            for sort in Sort::ALL.iter().copied() {
                let f = ListFilter { sort, ..base.clone() };
                let mut conn = t.state.db.pool.acquire().await.unwrap();
                let planned = Narrowing::plan(&mut conn, &who, &f).await.unwrap();
                drop(conn);
                if f.label.is_some() {
                    assert_eq!(planned.reach, Reach::Label, "the demo's labels are few");
                } else if range_column(&f).is_some() {
                    assert_eq!(planned.reach, Reach::Range, "the demo's date ranges are short");
                }
                let key_len = match sort {
                    Sort::Priority | Sort::PriorityLow => 3,
                    _ => 2,
                };
                let deep = vec![now.0; key_len];
                let what = |n: &Narrowing| format!("{email} sort {sort} {} {:?}", describe(&f), n.reach);
                for n in [planned.clone(), Narrowing::none()] {
                    for key in [None, Some(deep.as_slice())] {
                        let select = format!("EXPLAIN QUERY PLAN {}", app::conversations::server::SUMMARY_SQL);
                        let plan = plan_of(list_query(&select, &who, &f, &n, key, 31)).await;
                        let c = reads_c(&plan);
                        let sorts = plan.iter().any(|d| d.contains("TEMP B-TREE FOR ORDER BY"));
                        let ok = match n.reach {
                            Reach::Walk => c.contains("USING") && !sorts && uses_the_views_index(&f, &c),
                            // The page's keys come from the range's own
                            // index (then sorted); rows are read by id. (Not
                            // called covering for the priority sorts: see the
                            // count's note on priority_rank below.)
                            Reach::Range => {
                                let col = range_column(&f).unwrap();
                                c.starts_with("SEARCH c USING INTEGER PRIMARY KEY")
                                    && plan.iter().any(|d| {
                                        d.starts_with("SEARCH c USING ")
                                            && d.contains(" INDEX conversations_")
                                            && (d.contains(&format!("{col}>")) || d.contains(&format!("{col}<")))
                                    })
                            }
                            _ => c.starts_with("SEARCH c USING INTEGER PRIMARY KEY"),
                        };
                        if !ok {
                            bad.push(format!("{}: {plan:?}", what(&n)));
                        }
                        checked += 1;
                    }
                    let plan = plan_of(count_query("EXPLAIN QUERY PLAN ", &who, &f, &n, Some(10_001))).await;
                    let c = reads_c(&plan);
                    let ok = match n.reach {
                        // Narrowed only by view, inbox and assignee, a
                        // label's count reads the label index alone.
                        _ if answered_by_labels(&f).is_some() => {
                            c.starts_with("no read of conversations")
                                && plan.iter().any(|d| d.contains("COVERING INDEX conversation_labels_label"))
                        }
                        // Any index that answers alone: SQLite may count the
                        // active rows as three status ranges of the status index.
                        // SQLite never calls an index covering for a query that
                        // names a VIRTUAL column (priority_rank): its value comes
                        // from the index key, and no row is read.
                        // A label's count looks its conversations up (see `count_query`).
                        Reach::Walk | Reach::Range if f.label.is_none() => {
                            c.contains("USING COVERING INDEX")
                                || (f.priority.is_some() && c.contains("USING INDEX conversations_open_priority"))
                        }
                        _ => c.starts_with("SEARCH c USING INTEGER PRIMARY KEY"),
                    };
                    if !ok {
                        bad.push(format!("count {}: {c}", what(&n)));
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 1000, "{checked}");
    bad.sort();
    bad.dedup();
    assert!(
        bad.is_empty(),
        "{} of {checked} list queries scan, sort or miss their index:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// Whether a walked list reads the partial index its view has (active rows
/// for All open, Mine and Unassigned; unread rows for My unread) — a
/// changed WHERE would silently stop SQLite from using them.
fn uses_the_views_index(f: &ListFilter, read: &str) -> bool {
    match f.view {
        View::AllOpen | View::Mine | View::Unassigned if f.status.is_none() => {
            read.contains("INDEX conversations_open_")
        }
        View::MyUnread => read.contains("INDEX conversations_unread_"),
        _ => true,
    }
}

/// The parts of a filter that differ from the default, for messages.
fn describe(f: &ListFilter) -> String {
    let d = ListFilter { sort: f.sort, ..ListFilter::default() };
    let (a, b) = (format!("{f:?}"), format!("{d:?}"));
    let strip = |s: &str| s.trim_start_matches("ListFilter { ").trim_end_matches(" }").to_string();
    let (a, b) = (strip(&a), strip(&b));
    let base: Vec<&str> = b.split(", ").collect();
    a.split(", ").filter(|p| !base.contains(p)).collect::<Vec<_>>().join(", ")
}
