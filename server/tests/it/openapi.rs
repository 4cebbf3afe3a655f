//! `/api/v1/openapi.json` is served without a key and describes every route.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use axum::http::Method;

#[tokio::test]
async fn openapi_document_describes_every_route() {
    let t = common::TestApp::new().await;
    let r = t.api(Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(r.status.as_u16(), 200);
    assert_eq!(r.body["openapi"], "3.1.0");
    let paths = r.body["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/me", &["get"][..]),
        ("/users", &["get", "post"]),
        ("/users/{userId}", &["patch"]),
        ("/inboxes", &["get", "post"]),
        ("/inboxes/{inboxId}", &["get", "put", "delete"]),
        ("/conversations", &["get", "post"]),
        ("/conversations/{id}", &["get", "patch"]),
        ("/conversations/{id}/messages", &["get", "post"]),
        ("/contacts", &["get", "post"]),
        ("/contacts/{id}", &["get", "patch"]),
        ("/contacts/{id}/merge", &["post"]),
        ("/contacts/{id}/timeline", &["get"]),
        ("/channels", &["get", "post"]),
        ("/channels/{channelId}", &["get", "put", "delete"]),
        ("/channels/{channelId}/check", &["post"]),
        ("/conversations/{id}/messages/{messageId}/retry", &["post"]),
        ("/uploads", &["post"]),
        ("/inboxes/{inboxId}/members", &["get", "post"]),
        ("/inboxes/{inboxId}/members/{userId}", &["delete"]),
        ("/inboxes/{inboxId}/members/{userId}/availability", &["put"]),
        ("/automations", &["get", "post"]),
        ("/automations/recipes", &["post"]),
        ("/automations/{id}", &["get", "put", "delete"]),
        ("/routing-rules", &["get", "post"]),
        ("/routing-rules/test", &["post"]),
        ("/routing-rules/{id}", &["put", "delete"]),
        ("/templates", &["get", "post"]),
        ("/templates/{id}", &["get", "put", "delete"]),
        ("/templates/{id}/render", &["get"]),
    ] {
        for m in methods {
            assert!(paths.get(path).and_then(|p| p.get(*m)).is_some(), "{m} {path} is not described");
        }
    }
}
