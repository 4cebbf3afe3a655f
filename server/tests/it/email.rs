//! The email channel end to end over real SMTP: mail in through Parley's
//! listener, replies out through lettre to a capturing server, threading,
//! reopen window, auto-reply guards, spam, failures and retry, limits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::users::model::Role;
use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::{json, Value};

use crate::common::mail::{email_channel, mail, mail_app, send_raw, settled};
use crate::common::{TestApp, INBOUND_DOMAIN};

async fn conversations(t: &TestApp, key: &str, query: &str) -> Vec<Value> {
    t.get(&format!("/api/v1/conversations?limit=100{query}"), key).await.data(200).as_array().unwrap().clone()
}

async fn by_subject(t: &TestApp, key: &str, subject: &str) -> Vec<Value> {
    let mut all = conversations(t, key, "").await;
    all.extend(conversations(t, key, "&status=closed").await);
    all.into_iter().filter(|c| c["subject"] == subject).collect()
}

#[tokio::test]
async fn a_mail_becomes_a_conversation_and_the_reply_threads_back() {
    let (t, admin, capture, smtp, inbox) = mail_app().await;
    let channel = email_channel(&t, &admin, inbox, &capture, json!({})).await;
    let fwd = channel["forwardingAddress"].as_str().unwrap().to_string();
    assert!(fwd.starts_with("help-") && fwd.ends_with(&format!("@{INBOUND_DOMAIN}")), "{fwd}");

    // A customer writes, copying a colleague.
    let raw = mail(
        "\"Ada Lovelace\" <Ada@Customer.test>",
        &fwd,
        "Parcel late",
        "<first-1@customer.test>",
        "Cc: Bob <bob@customer.test>\r\n",
        "Where is my parcel?",
    );
    send_raw(smtp, Some("ada@customer.test"), &fwd, &raw).await.unwrap();
    let convs = by_subject(&t, &admin, "Parcel late").await;
    assert_eq!(convs.len(), 1);
    let id = convs[0]["id"].as_i64().unwrap();
    assert_eq!(convs[0]["status"], "new");
    let contact = t.get(&format!("/api/v1/contacts/{}", convs[0]["contactId"]), &admin).await;
    assert_eq!(contact.data(200)["name"], "Ada Lovelace");
    let msgs = t.messages(&admin, id).await;
    assert_eq!(msgs[0]["body"], "Where is my parcel?");
    assert_eq!(msgs[0]["cc"], json!(["bob@customer.test"]));

    // The agent replies: real mail with the threading headers.
    let reply = t
        .post(&format!("/api/v1/conversations/{id}/messages"), &admin, json!({"kind": "reply", "body": "On its way."}))
        .await;
    let reply_id = reply.data(201)["id"].as_i64().unwrap();
    assert_eq!(reply.data(201)["deliveryStatus"], "queued");
    let out = capture.nth(1).await;
    assert_eq!(settled(&t, &admin, id, reply_id).await["deliveryStatus"], "sent");
    assert_eq!(out.header("From").unwrap(), "\"Ann Admin from Shop Help\" <help@shop.test>");
    assert!(out.header("To").unwrap().contains("Ada@Customer.test"), "{:?}", out.header("To"));
    assert_eq!(out.header("Cc").unwrap(), "bob@customer.test", "inbound CCs are kept on replies");
    assert_eq!(out.header("Subject").unwrap(), "Re: Parcel late");
    let local = fwd.split('@').next().unwrap();
    assert_eq!(out.header("Reply-To").unwrap(), format!("{local}+{id}@{INBOUND_DOMAIN}"));
    assert_eq!(out.header("In-Reply-To").unwrap(), "<first-1@customer.test>");
    assert_eq!(out.header("References").unwrap(), "<first-1@customer.test>");
    let our_id = out.header("Message-ID").unwrap();
    assert!(our_id.starts_with(&format!("<parley-{id}-{reply_id}-")), "{our_id}");
    assert!(out.text().contains("On its way."));
    let mut rcpts = out.rcpt_to.clone();
    rcpts.sort();
    assert_eq!(rcpts, vec!["Ada@Customer.test".to_string(), "bob@customer.test".to_string()]);

    // A note is never sent.
    t.post(&format!("/api/v1/conversations/{id}/messages"), &admin, json!({"kind": "note", "body": "staff only"}))
        .await
        .data(201);

    // The customer answers the reply: In-Reply-To finds the conversation.
    let answer = mail(
        "Ada <ada@customer.test>",
        &format!("{local}+{id}@{INBOUND_DOMAIN}"),
        "RE: Re: Parcel late",
        "<second-2@customer.test>",
        &format!("In-Reply-To: {our_id}\r\nReferences: <first-1@customer.test> {our_id}\r\n"),
        "Thanks!",
    );
    send_raw(smtp, Some("ada@customer.test"), &format!("{local}+{id}@{INBOUND_DOMAIN}"), &answer).await.unwrap();
    let msgs = t.messages(&admin, id).await;
    assert_eq!(msgs.last().unwrap()["body"], "Thanks!");
    assert_eq!(by_subject(&t, &admin, "RE: Re: Parcel late").await.len(), 0, "no second conversation");
    assert_eq!(capture.count(), 1, "the note was not mailed");

    // The next reply refers to the whole chain, newest last.
    t.post(&format!("/api/v1/conversations/{id}/messages"), &admin, json!({"kind": "reply", "body": "Great."}))
        .await
        .data(201);
    let out2 = capture.nth(2).await;
    assert_eq!(out2.header("In-Reply-To").unwrap(), "<second-2@customer.test>");
    assert_eq!(
        out2.header("References").unwrap(),
        format!("<first-1@customer.test> {our_id} <second-2@customer.test>")
    );
    assert_eq!(out2.header("Subject").unwrap(), "Re: Parcel late");

    // Unknown recipients are refused at RCPT, before any data is sent.
    let err = send_raw(smtp, Some("x@y.test"), &format!("nobody-123@{INBOUND_DOMAIN}"), &raw).await.unwrap_err();
    assert!(err.contains("550"), "{err}");
}

#[tokio::test]
async fn a_closed_conversation_reopens_within_the_window_and_later_starts_a_linked_one() {
    let (t, admin, capture, smtp, inbox) = mail_app().await;
    let fwd = email_channel(&t, &admin, inbox, &capture, json!({"reopenWindowDays": 7})).await["forwardingAddress"]
        .as_str()
        .unwrap()
        .to_string();
    let first = mail("a@c.test", &fwd, "Refund", "<r1@c.test>", "", "Refund please");
    send_raw(smtp, Some("a@c.test"), &fwd, &first).await.unwrap();
    let id = by_subject(&t, &admin, "Refund").await[0]["id"].as_i64().unwrap();
    t.patch(&format!("/api/v1/conversations/{id}"), &admin, json!({"status": "closed"})).await.data(200);

    let again = mail("a@c.test", &fwd, "Re: Refund", "<r2@c.test>", "In-Reply-To: <r1@c.test>\r\n", "Still waiting");
    send_raw(smtp, Some("a@c.test"), &fwd, &again).await.unwrap();
    let conv = t.get(&format!("/api/v1/conversations/{id}"), &admin).await;
    assert_eq!(conv.data(200)["status"], "open", "a reply within the window reopens");
    assert_eq!(t.messages(&admin, id).await.len(), 2);

    // Close it again, eight days ago.
    t.patch(&format!("/api/v1/conversations/{id}"), &admin, json!({"status": "closed"})).await.data(200);
    let eight_days_ago = app::time::Timestamp::now().plus_secs(-8 * 86_400);
    sqlx::query("UPDATE conversations SET closed_at = ? WHERE id = ?")
        .bind(eight_days_ago)
        .bind(id)
        .execute(&t.state.db.pool)
        .await
        .unwrap();
    let late = mail("a@c.test", &fwd, "Re: Refund", "<r3@c.test>", "In-Reply-To: <r2@c.test>\r\n", "Me again");
    send_raw(smtp, Some("a@c.test"), &fwd, &late).await.unwrap();
    let old = t.get(&format!("/api/v1/conversations/{id}"), &admin).await;
    assert_eq!(old.data(200)["status"], "closed", "an old conversation stays closed");
    let new = by_subject(&t, &admin, "Re: Refund").await;
    assert_eq!(new.len(), 1, "a new conversation starts");
    let previous: Option<i64> = sqlx::query_scalar("SELECT previous_conversation_id FROM conversations WHERE id = ?")
        .bind(new[0]["id"].as_i64().unwrap())
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap();
    assert_eq!(previous, Some(id), "and links back to the old one");
}

#[tokio::test]
async fn spam_blocks_the_sender_and_not_spam_restores_them() {
    let (t, admin, capture, smtp, inbox) = mail_app().await;
    let fwd =
        email_channel(&t, &admin, inbox, &capture, json!({})).await["forwardingAddress"].as_str().unwrap().to_string();
    send_raw(
        smtp,
        Some("spam@bad.test"),
        &fwd,
        &mail("spam@bad.test", &fwd, "Cheap pills", "<s1@bad.test>", "", "Buy"),
    )
    .await
    .unwrap();
    let id = by_subject(&t, &admin, "Cheap pills").await[0]["id"].as_i64().unwrap();
    t.patch(&format!("/api/v1/conversations/{id}"), &admin, json!({"spam": true})).await.data(200);

    // Their next mail (any case of the address) is kept, in Spam only.
    let next = mail("SPAM@Bad.test", &fwd, "More pills", "<s2@bad.test>", "", "Buy more");
    send_raw(smtp, Some("SPAM@Bad.test"), &fwd, &next).await.unwrap();
    let kept: (i64, bool) = sqlx::query_as("SELECT id, spam FROM conversations WHERE subject = 'More pills'")
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap();
    assert!(kept.1, "mail from a blocked sender lands in Spam");
    let cookie = t.login("ann@shop.test", "correct horse").await;
    let open = t
        .server_fn::<app::conversations::api::ListConversations>(
            json!({"filter": {"view": "all_open", "inboxId": null, "status": null, "assigneeId": null, "sort": "newest"}, "cursor": null}),
            Some(&cookie),
            &[],
        )
        .await;
    assert!(!open.body.to_string().contains("More pills"), "not in the open queue: {}", open.body);
    let spam = t
        .server_fn::<app::conversations::api::ListConversations>(
            json!({"filter": {"view": "spam", "inboxId": null, "status": null, "assigneeId": null, "sort": "newest"}, "cursor": null}),
            Some(&cookie),
            &[],
        )
        .await;
    assert!(spam.body.to_string().contains("More pills"), "in the Spam view: {}", spam.body);

    // Not spam unblocks: the next mail is an ordinary conversation.
    t.patch(&format!("/api/v1/conversations/{id}"), &admin, json!({"spam": false})).await.data(200);
    send_raw(smtp, Some("spam@bad.test"), &fwd, &mail("spam@bad.test", &fwd, "Sorry", "<s3@bad.test>", "", "Real q"))
        .await
        .unwrap();
    assert_eq!(by_subject(&t, &admin, "Sorry").await[0]["spam"], false);
}

#[tokio::test]
async fn a_failed_send_keeps_the_reason_and_retry_sends_it() {
    let (t, admin, capture, smtp, inbox) = mail_app().await;
    // An outgoing server that is not there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = closed.local_addr().unwrap().port();
    drop(closed);
    let channel = email_channel(
        &t,
        &admin,
        inbox,
        &capture,
        json!({"smtp": {"host": "127.0.0.1", "port": dead_port, "security": "none", "username": "u", "password": "pw"}}),
    )
    .await;
    let cid = channel["id"].as_i64().unwrap();
    assert_eq!(channel["settings"]["smtp"]["password"], "********", "secrets are never read back");
    let fwd = channel["forwardingAddress"].as_str().unwrap().to_string();
    send_raw(smtp, Some("a@c.test"), &fwd, &mail("a@c.test", &fwd, "Help", "<h1@c.test>", "", "Help me"))
        .await
        .unwrap();
    let id = by_subject(&t, &admin, "Help").await[0]["id"].as_i64().unwrap();
    let r =
        t.post(&format!("/api/v1/conversations/{id}/messages"), &admin, json!({"kind": "reply", "body": "Hi"})).await;
    let mid = r.data(201)["id"].as_i64().unwrap();
    let failed = settled(&t, &admin, id, mid).await;
    assert_eq!(failed["deliveryStatus"], "failed");
    assert!(failed["failureReason"].as_str().unwrap().contains("mail server"), "{failed}");
    let ch = t.get(&format!("/api/v1/channels/{cid}"), &admin).await;
    assert_eq!(ch.data(200)["health"]["status"], "failing");

    // Retrying a reply that has not failed is refused.
    let note =
        t.post(&format!("/api/v1/conversations/{id}/messages"), &admin, json!({"kind": "note", "body": "n"})).await;
    let note_id = note.data(201)["id"].as_i64().unwrap();
    t.post(&format!("/api/v1/conversations/{id}/messages/{note_id}/retry"), &admin, json!({}))
        .await
        .assert_error(409, "conflict");

    // Fix the server (the masked password is kept), retry: it goes out.
    let mut fixed = ch.data(200).clone();
    fixed["settings"]["smtp"]["port"] = json!(capture.addr.port());
    // The capture server offers no AUTH, so log in as nobody there.
    fixed["settings"]["smtp"]["username"] = json!("");
    let body = json!({"name": fixed["name"], "kind": "email", "inboxId": inbox, "settings": fixed["settings"]});
    t.put(&format!("/api/v1/channels/{cid}"), &admin, body).await.data(200);
    let stored: String = sqlx::query_scalar("SELECT settings FROM channels WHERE id = ?")
        .bind(cid)
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap();
    assert!(stored.contains("\"password\":\"pw\""), "{stored}");
    let retried = t.post(&format!("/api/v1/conversations/{id}/messages/{mid}/retry"), &admin, json!({})).await;
    assert_eq!(retried.data(200)["deliveryStatus"], "queued");
    let out = capture.nth(1).await;
    assert!(out.text().contains("Hi"));
    assert_eq!(settled(&t, &admin, id, mid).await["deliveryStatus"], "sent");
    assert_eq!(t.get(&format!("/api/v1/channels/{cid}"), &admin).await.data(200)["health"]["status"], "ok");
}

#[tokio::test]
async fn oversized_and_malformed_mail_is_refused_kept_raw_and_blocks_nothing() {
    let (t, admin, capture, smtp, inbox) = mail_app().await;
    let channel = email_channel(&t, &admin, inbox, &capture, json!({})).await;
    let fwd = channel["forwardingAddress"].as_str().unwrap().to_string();
    let token = channel["token"].as_str().unwrap().to_string();

    // Over the limit by SMTP: 552, and the head of it is kept.
    let mut big = mail("a@c.test", &fwd, "Huge", "<big@c.test>", "", "see attachment");
    big.extend(std::iter::repeat_n(b"A".repeat(998).into_iter().chain(*b"\r\n"), 26 * 1024).flatten());
    let err = send_raw(smtp, Some("a@c.test"), &fwd, &big).await.unwrap_err();
    assert!(err.contains("552"), "{err}");
    // The next mail on the listener is taken as usual.
    send_raw(smtp, Some("a@c.test"), &fwd, &mail("a@c.test", &fwd, "Small", "<s@c.test>", "", "hi")).await.unwrap();
    assert_eq!(by_subject(&t, &admin, "Small").await.len(), 1);
    assert!(by_subject(&t, &admin, "Huge").await.is_empty());

    // Not mail at all, over HTTP: 422 with the reason, kept raw.
    let hook = |body: Vec<u8>| {
        Request::builder()
            .method(Method::POST)
            .uri(format!("/hooks/email/{token}"))
            .header("content-type", "message/rfc822")
            .body(Body::from(body))
            .unwrap()
    };
    let bad = t.send(hook(b"this is not an email".to_vec())).await;
    assert_eq!(bad.status.as_u16(), 422, "{}", bad.body);
    assert!(bad.body["error"]["message"].as_str().unwrap().contains("From"), "{}", bad.body);
    let too_big = t.send(hook(vec![b'x'; app::attachments::MAX_MAIL_BYTES + 10])).await;
    assert_eq!(too_big.status.as_u16(), 413);
    let unknown = t
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/hooks/email/nope")
                .body(Body::from(mail("a@c.test", &fwd, "x", "<x@c>", "", "x")))
                .unwrap(),
        )
        .await;
    assert_eq!(unknown.status.as_u16(), 404);
    let kept: Vec<(String, bool, i64, String)> = sqlx::query_as(
        "SELECT transport, truncated, length(raw), error FROM inbound_mail WHERE status = 'rejected' ORDER BY id",
    )
    .fetch_all(&t.state.db.pool)
    .await
    .unwrap();
    assert_eq!(kept.len(), 3, "{kept:?}");
    assert_eq!((kept[0].0.as_str(), kept[0].1), ("smtp", true));
    assert!(kept[0].2 > 0 && kept[0].3.contains("size"));
    assert_eq!((kept[1].0.as_str(), kept[1].1, kept[1].2), ("http", false, 20));
    assert_eq!((kept[2].0.as_str(), kept[2].1), ("http", true));

    // A good mail over the hook is stored, and the same mail again is not.
    let good = mail("Dee <dee@c.test>", "help@shop.test", "Via hook", "<hook-1@c.test>", "", "Posted by a relay");
    let first = t.send(hook(good.clone())).await;
    assert_eq!(first.status.as_u16(), 202, "{}", first.body);
    assert_eq!(first.body["data"]["duplicate"], false);
    let again = t.send(hook(good)).await;
    assert_eq!(again.body["data"]["duplicate"], true);
    assert_eq!(again.body["data"]["conversationId"], first.body["data"]["conversationId"]);
    let id = first.body["data"]["conversationId"].as_i64().unwrap();
    assert_eq!(t.messages(&admin, id).await.len(), 1, "a redelivery is stored once");
}

#[tokio::test]
async fn channels_are_admin_only_checked_by_field_and_kept_when_used() {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let (_, agent) = t.user("Abe Agent", "abe@shop.test", Role::Agent).await;
    let inbox = t.inbox_id("Support").await;
    let body = |settings: Value| json!({"name": "Mail", "kind": "email", "inboxId": inbox, "settings": settings});
    t.post("/api/v1/channels", &agent, body(json!({"address": "a@b.test"}))).await.assert_error(403, "forbidden");
    t.get("/api/v1/channels", &agent).await.assert_error(403, "forbidden");
    t.post("/api/v1/channels", &admin, body(json!({"address": "nope"}))).await.assert_invalid("settings.address");
    t.post("/api/v1/channels", &admin, body(json!({"address": "a@b.test", "reopenWindowDays": 1000})))
        .await
        .assert_invalid("settings.reopenWindowDays");
    t.post("/api/v1/channels", &admin, json!({"name": "", "kind": "email", "inboxId": inbox, "settings": {}}))
        .await
        .assert_invalid("name");
    t.post(
        "/api/v1/channels",
        &admin,
        json!({"name": "X", "kind": "email", "inboxId": 999, "settings": {"address": "a@b.test"}}),
    )
    .await
    .assert_invalid("inboxId");
    let ch = t.post("/api/v1/channels", &admin, body(json!({"address": "a@b.test"}))).await;
    let ch = ch.data(201).clone();
    assert_eq!(ch["health"]["status"], "unconfigured", "no outgoing server yet");
    let id = ch["id"].as_i64().unwrap();
    let mut changed = body(json!({"address": "a@b.test"}));
    changed["kind"] = json!("sms");
    t.put(&format!("/api/v1/channels/{id}"), &admin, changed).await.assert_invalid("kind");
    // A channel with conversations is switched off, not deleted.
    t.post(
        "/api/v1/conversations",
        &admin,
        json!({"channelId": id, "contact": {"email": "c@d.test"}, "subject": "s", "message": {"body": "b"}}),
    )
    .await
    .data(201);
    t.delete(&format!("/api/v1/channels/{id}"), &admin).await.assert_error(409, "conflict");
    let unused = t.post("/api/v1/channels", &admin, body(json!({"address": "z@b.test"}))).await.data(201).clone();
    let r = t.delete(&format!("/api/v1/channels/{}", unused["id"]), &admin).await;
    assert_eq!(r.status.as_u16(), 204);
}

#[tokio::test]
async fn a_reply_carries_the_agents_uploaded_files() {
    let (t, admin, capture, smtp, inbox) = mail_app().await;
    let (_, other) = t.user("Abe Agent", "abe@shop.test", Role::Agent).await;
    let fwd =
        email_channel(&t, &admin, inbox, &capture, json!({})).await["forwardingAddress"].as_str().unwrap().to_string();
    send_raw(smtp, Some("a@c.test"), &fwd, &mail("a@c.test", &fwd, "Invoice", "<i1@c.test>", "", "Send it"))
        .await
        .unwrap();
    let id = by_subject(&t, &admin, "Invoice").await[0]["id"].as_i64().unwrap();
    let up = |key: &str, name: &str, bytes: Vec<u8>| {
        Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/uploads?name={name}"))
            .header("x-api-key", key)
            .header("content-type", "text/csv")
            .body(Body::from(bytes))
            .unwrap()
    };
    let mine = t.send(up(&admin, "invoice.csv", b"total,42\r\n".to_vec())).await;
    assert_eq!(mine.status.as_u16(), 201, "{}", mine.body);
    let mine = mine.body["data"]["id"].as_i64().unwrap();
    let theirs = t.send(up(&other, "x.csv", b"x".to_vec())).await.body["data"]["id"].as_i64().unwrap();
    let too_big = t.send(up(&admin, "big.bin", vec![0; app::attachments::MAX_UPLOAD_BYTES + 1])).await;
    assert_eq!(too_big.status.as_u16(), 413);

    let path = format!("/api/v1/conversations/{id}/messages");
    t.post(&path, &admin, json!({"kind": "reply", "body": "Attached.", "attachmentIds": [theirs]}))
        .await
        .assert_invalid("attachmentIds");
    let r = t.post(&path, &admin, json!({"kind": "reply", "body": "Attached.", "attachmentIds": [mine]})).await;
    let m = r.data(201).clone();
    assert_eq!(m["attachments"][0]["name"], "invoice.csv");
    let out = capture.nth(1).await;
    let text = out.text();
    assert!(text.contains("multipart/mixed"), "{text}");
    assert!(text.contains("filename=\"invoice.csv\""), "{text}");
    assert!(text.contains("total,42"), "{text}");
    // An upload is used once.
    t.post(&path, &admin, json!({"kind": "reply", "body": "Again", "attachmentIds": [mine]}))
        .await
        .assert_invalid("attachmentIds");
}
