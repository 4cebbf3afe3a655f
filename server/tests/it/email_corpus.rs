//! The threading corpus (tests/corpus, real-world shapes from Gmail,
//! Outlook, Apple Mail, Thunderbird, old clients, bounces and lists), sent
//! in order over SMTP: each file must land where a person would expect.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{json, Value};

use crate::common::mail::{email_channel, mail_app, send_raw};
use crate::common::{TestApp, INBOUND_DOMAIN};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");

fn file(name: &str, fwd: &str, reply: &str, parley_id: &str) -> Vec<u8> {
    let raw = std::fs::read(format!("{DIR}/{name}")).unwrap();
    // Placeholders are ASCII; the rest may be any charset, so replace bytes.
    let mut out = raw;
    for (from, to) in [("{{FORWARD}}", fwd), ("{{REPLY}}", reply), ("{{PARLEY_MSGID}}", parley_id)] {
        out = replace(&out, from.as_bytes(), to.as_bytes());
    }
    out
}

fn replace(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

async fn conversation_count(t: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM conversations").fetch_one(&t.state.db.pool).await.unwrap()
}

async fn newest(t: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT MAX(id) FROM conversations").fetch_one(&t.state.db.pool).await.unwrap()
}

async fn last_message(t: &TestApp, key: &str, id: i64) -> Value {
    t.messages(key, id).await.into_iter().rfind(|m| m["direction"] == "inbound").unwrap()
}

#[tokio::test]
async fn the_threading_corpus_lands_where_people_expect() {
    let (t, admin, capture, smtp, inbox) = mail_app().await;
    let channel = email_channel(
        &t,
        &admin,
        inbox,
        &capture,
        json!({"autoReply": {"enabled": true, "subject": "We got your message", "body": "Thanks, we will answer soon."}}),
    )
    .await;
    let fwd = channel["forwardingAddress"].as_str().unwrap().to_string();
    let local = fwd.split('@').next().unwrap().to_string();
    let mut auto_replies = 0;

    // 01: Gmail, new. A conversation with Ada, text and sanitized HTML; auto-replied.
    let send = |name: &'static str, to: String, from: Option<&'static str>, reply: String, pid: String| {
        let fwd = fwd.clone();
        async move {
            let raw = file(name, &fwd, &reply, &pid);
            send_raw(smtp, from, &to, &raw).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    };
    send("01-gmail-new.eml", fwd.clone(), Some("ada@customer.test"), String::new(), String::new()).await;
    let a = newest(&t).await;
    auto_replies += 1;
    let auto = capture.nth(auto_replies).await;
    assert_eq!(auto.header("Auto-Submitted").as_deref(), Some("auto-replied"));
    assert_eq!(auto.header("Subject").as_deref(), Some("We got your message"));
    assert_eq!(auto.header("In-Reply-To").as_deref(), Some("<CAGmail001xyz@mail.gmail.com>"));
    let m = last_message(&t, &admin, a).await;
    assert_eq!(m["senderName"], "Ada Lovelace");
    assert!(m["body"].as_str().unwrap().contains("My order #1001 has not arrived yet"), "{m}");
    assert!(m["html"].as_str().unwrap().contains("<div"), "{m}");
    let reply_addr = format!("{local}+{a}@{INBOUND_DOMAIN}");

    // 02: Gmail reply with quoted text, by In-Reply-To.
    send("02-gmail-reply-quoted.eml", fwd.clone(), Some("ada@customer.test"), reply_addr.clone(), String::new()).await;
    assert_eq!(newest(&t).await, a, "02 threads into A");
    assert!(last_message(&t, &admin, a).await["body"].as_str().unwrap().contains("TRK-42"));

    // The team replies; 03 (Outlook, Thread-Index, QP HTML) answers that reply.
    let r = t
        .post(&format!("/api/v1/conversations/{a}/messages"), &admin, json!({"kind": "reply", "body": "Checking."}))
        .await;
    r.data(201);
    auto_replies += 1;
    let ours = capture.nth(auto_replies).await;
    let parley_id = ours.header("Message-ID").unwrap();
    send("03-outlook-reply.eml", reply_addr.clone(), Some("ada@customer.test"), reply_addr.clone(), parley_id.clone())
        .await;
    assert_eq!(newest(&t).await, a, "03 threads into A");
    assert!(last_message(&t, &admin, a).await["body"].as_str().unwrap().contains("the parcel came today"));

    // 04: Apple Mail with no In-Reply-To/References: the reply address alone.
    send(
        "04-apple-mail-tag-only.eml",
        reply_addr.clone(),
        Some("ada@customer.test"),
        reply_addr.clone(),
        parley_id.clone(),
    )
    .await;
    assert_eq!(newest(&t).await, a, "04 threads into A by its reply address");
    assert!(last_message(&t, &admin, a).await["body"].as_str().unwrap().contains("One more question"));

    // 05: reply-all from a second person: same conversation, Bob copied from now on.
    send(
        "05-cc-reply-second-person.eml",
        reply_addr.clone(),
        Some("bob@customer.test"),
        reply_addr.clone(),
        parley_id.clone(),
    )
    .await;
    assert_eq!(newest(&t).await, a, "05 threads into A");
    let m = last_message(&t, &admin, a).await;
    assert_eq!(m["senderName"], "Bob Byron");
    let cc: String = sqlx::query_scalar("SELECT cc FROM conversations WHERE id = ?")
        .bind(a)
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap();
    assert_eq!(cc, r#"["bob@customer.test"]"#, "Ada is the contact; Bob joins the CC list");

    // 06: a teammate forwards Carol's mail: logged to Carol.
    send("06-forwarded-by-staff.eml", fwd.clone(), Some("sam@acme.test"), reply_addr.clone(), parley_id.clone()).await;
    let b = newest(&t).await;
    assert_ne!(b, a);
    auto_replies += 1;
    let carol = last_message(&t, &admin, b).await;
    assert_eq!(carol["senderName"], "Carol Customer");
    let to = capture.nth(auto_replies).await.header("To").unwrap();
    assert!(to.contains("carol@client.test"), "the auto-reply goes to Carol: {to}");

    // 07: the same delivery again: nothing new.
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages").fetch_one(&t.state.db.pool).await.unwrap();
    let convs = conversation_count(&t).await;
    send("07-duplicate-of-01.eml", fwd.clone(), Some("ada@customer.test"), reply_addr.clone(), parley_id.clone()).await;
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages").fetch_one(&t.state.db.pool).await.unwrap();
    assert_eq!((after, conversation_count(&t).await), (before, convs), "a redelivery is stored once");

    // 08, 09: non-UTF-8 charsets in headers and bodies.
    send("08-iso-8859-1-qp.eml", fwd.clone(), Some("juergen@client.test"), String::new(), String::new()).await;
    auto_replies += 1;
    let c = newest(&t).await;
    let m = last_message(&t, &admin, c).await;
    assert_eq!(m["senderName"], "Jürgen Müller");
    assert_eq!(m["subject"], "Grüße aus München");
    assert!(m["body"].as_str().unwrap().contains("Grüße aus München, die Rechnung ist falsch."), "{m}");
    send("09-koi8r-base64.eml", fwd.clone(), Some("ivan@client.test"), String::new(), String::new()).await;
    auto_replies += 1;
    let m = last_message(&t, &admin, newest(&t).await).await;
    assert_eq!(m["senderName"], "Иван Петров");
    assert_eq!(m["subject"], "Вопрос по заказу");
    assert!(m["body"].as_str().unwrap().contains("Где мой заказ?"), "{m}");

    // 10: HTML only: text is derived, HTML kept (sanitized).
    send("10-html-only.eml", fwd.clone(), Some("dora@client.test"), String::new(), String::new()).await;
    auto_replies += 1;
    let m = last_message(&t, &admin, newest(&t).await).await;
    assert!(m["body"].as_str().unwrap().contains("logo files"), "{m}");
    assert!(m["html"].as_str().unwrap().contains("<b>logo files</b>"), "{m}");

    // 11: scripts, handlers, frames and remote images are gone; the inline image points at Parley.
    send("11-script-and-remote-images.eml", fwd.clone(), Some("eve@client.test"), String::new(), String::new()).await;
    auto_replies += 1;
    let m = last_message(&t, &admin, newest(&t).await).await;
    let html = m["html"].as_str().unwrap();
    for bad in ["<script", "alert(", "tracker.test", "onclick", "<iframe", "evil.test", "cid:"] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }
    assert!(html.contains("Visible text here") && html.contains("src=\"/attachments/"), "{html}");
    assert_eq!(m["attachments"], json!([]), "inline images are not listed as attachments");

    // 12: no Message-ID at all: still a conversation.
    let n = conversation_count(&t).await;
    send("12-no-message-id.eml", fwd.clone(), Some("finn@client.test"), String::new(), String::new()).await;
    auto_replies += 1;
    assert_eq!(conversation_count(&t).await, n + 1);

    // 13: an attachment, stored and served byte for byte to someone with access.
    send("13-attachment-pdf.eml", fwd.clone(), Some("gina@client.test"), String::new(), String::new()).await;
    auto_replies += 1;
    let m = last_message(&t, &admin, newest(&t).await).await;
    let att = &m["attachments"][0];
    assert_eq!((att["name"].as_str(), att["contentType"].as_str()), (Some("contract.pdf"), Some("application/pdf")));
    let want = std::fs::read(format!("{DIR}/13-contract.pdf")).unwrap();
    assert_eq!(att["size"], want.len());
    let url = att["url"].as_str().unwrap().to_string();
    let got = t.api(axum::http::Method::GET, &url, Some(&admin), None).await;
    assert_eq!(got.status.as_u16(), 200);
    assert_eq!(got.headers["content-type"], "application/pdf");
    assert!(got.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(got.raw, want, "same bytes back");
    t.api(axum::http::Method::GET, &url, None, None).await.assert_error(401, "unauthorized");

    // 14-16: an out-of-office, a bounce and a list post are stored, never auto-answered.
    for (name, from) in [
        ("14-out-of-office.eml", Some("hank@client.test")),
        ("15-bounce.eml", None),
        ("16-mailing-list.eml", Some("news@list.test")),
    ] {
        let n = conversation_count(&t).await;
        send(name, fwd.clone(), from, String::new(), String::new()).await;
        assert_eq!(conversation_count(&t).await, n + 1, "{name} is kept");
    }
    // Every auto-reply so far has arrived; nothing more comes for 14-16.
    capture.nth(auto_replies).await;
    let sent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE automatic = 1 AND direction = 'outbound'")
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap();
    assert_eq!(sent as usize, auto_replies - 1, "one auto-reply per person-written new conversation, none for 14-16");
    // The three machine-written mails are marked so, which keeps rules and
    // auto-responders from answering them.
    let machine: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE automatic = 1 AND direction = 'inbound'")
            .fetch_one(&t.state.db.pool)
            .await
            .unwrap();
    assert_eq!(machine, 3);

    // A stranger who guesses A's reply address does not get into A.
    let stranger = b"From: Mallory <mallory@evil.test>\r\nSubject: Re: Order #1001 never arrived\r\nMessage-ID: <m1@evil.test>\r\n\r\nlet me in\r\n";
    send_raw(smtp, Some("mallory@evil.test"), &reply_addr, stranger).await.unwrap();
    assert_ne!(newest(&t).await, a);
    assert!(!t.messages(&admin, a).await.iter().any(|m| m["body"] == "let me in"));
}
