//! The list's SQL (conversations/server.rs) and the browser's predicate
//! (`ListFilter::matches`, used to place live updates) must agree, or live
//! updates would put conversations in views that a reload would not show.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use app::conversations::model::{ListFilter, Sort, Status, View};
use app::users::server::principal;

#[tokio::test]
async fn every_view_and_filter_lists_exactly_what_matches_says() {
    let t = common::TestApp::demo().await;
    let db = &t.state.db;
    for email in ["admin@demo.parley", "ada@demo.parley", "chloe@demo.parley"] {
        let who = principal(db, t.user_id(email).await).await.unwrap().unwrap();
        // Everything this user may see, from the widest list.
        let everything = {
            let mut all = vec![];
            for view in [View::All, View::Spam] {
                let f = ListFilter { view, ..ListFilter::default() };
                all.extend(app::conversations::server::list(db, &who, &f, None, 100).await.unwrap().items);
            }
            all
        };
        assert!(everything.len() >= 20, "{email} sees {} conversations", everything.len());
        let statuses = std::iter::once(None).chain(Status::ALL.iter().copied().map(Some));
        for status in statuses {
            for view in View::ALL.iter().copied() {
                for sort in [Sort::Newest, Sort::Added] {
                    let f = ListFilter { view, status, sort, ..ListFilter::default() };
                    // Page through with small pages to exercise the keyset cursor.
                    let mut got = vec![];
                    let mut cursor = None;
                    loop {
                        let page = app::conversations::server::list(db, &who, &f, cursor.as_deref(), 7).await.unwrap();
                        assert_eq!(page.total as usize, everything.iter().filter(|c| f.matches(c, who.id)).count());
                        got.extend(page.items.into_iter().map(|c| c.id));
                        cursor = page.next_cursor;
                        if cursor.is_none() {
                            break;
                        }
                    }
                    let mut want: Vec<_> = everything.iter().filter(|c| f.matches(c, who.id)).cloned().collect();
                    want.sort_by(
                        |a, b| if f.before(a, b) { std::cmp::Ordering::Less } else { std::cmp::Ordering::Greater },
                    );
                    let want: Vec<_> = want.into_iter().map(|c| c.id).collect();
                    assert_eq!(got, want, "{email}: view {view} status {status:?} sort {sort}");
                }
            }
        }
    }
}
