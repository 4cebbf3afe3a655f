//! Files customers send on WhatsApp: the webhook is answered at once, the
//! file is fetched from a fake Graph API on a real socket afterwards and
//! lands on the message as an attachment an agent can download; a file
//! that does not arrive leaves the message saying why, and Retry fetches it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request};
use serde_json::{json, Value};

use crate::common::graph::{media_message, post_signed, MediaFile, Mode, ACCESS_TOKEN, APP_SECRET};
use crate::common::wa::{conversations_of_channel, wa_app, Wa};

/// A JPEG's first bytes and then some: what the customer photographed.
fn photo() -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00];
    b.extend((0..20_000u32).map(|i| (i * 7 % 251) as u8));
    b
}

fn image_hook(wamid: &str, media_id: &str, caption: &str) -> Vec<u8> {
    media_message(
        wamid,
        "16505551234",
        "image",
        json!({"caption": caption, "mime_type": "image/jpeg", "sha256": "c2hhMjU2", "id": media_id}),
    )
}

/// The only message of the channel's only conversation, once its file has
/// arrived or it says why not (the download runs after the webhook).
async fn settled_message(w: &Wa) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let convs = conversations_of_channel(w).await;
        assert_eq!(convs.len(), 1, "one conversation for the customer");
        let msgs = w.t.messages(&w.admin, convs[0]["id"].as_i64().unwrap()).await;
        assert_eq!(msgs.len(), 1, "one message: {msgs:?}");
        let m = msgs[0].clone();
        if !m["attachments"].as_array().unwrap().is_empty() || m["failureReason"].is_string() {
            return m;
        }
        assert!(tokio::time::Instant::now() < deadline, "the file neither arrived nor failed: {m}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `GET` of an attachment's URL as Ann, signed in in the browser.
async fn download_as_ann(w: &Wa, url: &str) -> crate::common::Resp {
    let cookie = w.t.login("ann@shop.test", "correct horse").await;
    w.t.send(Request::get(url).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn an_image_with_a_caption_arrives_as_an_attachment_an_agent_can_download() {
    let w = wa_app().await;
    w.fake.add_media(
        "1003383421387256",
        MediaFile { mime_type: "image/jpeg".into(), bytes: photo(), announced_size: None },
    );
    let r =
        post_signed(&w.t, &w.hook, &image_hook("wamid.IMG1", "1003383421387256", "The broken hinge"), Some(APP_SECRET))
            .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);

    let m = settled_message(&w).await;
    assert_eq!(m["body"], "[image] The broken hinge", "the caption stays the message's text");
    assert!(m["failureReason"].is_null(), "{m}");
    let files = m["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{m}");
    assert_eq!(files[0]["name"], "image.jpg");
    assert_eq!(files[0]["contentType"], "image/jpeg");
    assert_eq!(files[0]["size"], photo().len());

    let got = download_as_ann(&w, files[0]["url"].as_str().unwrap()).await;
    assert_eq!(got.status.as_u16(), 200);
    assert_eq!(got.headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(got.raw, photo(), "the agent gets the customer's bytes");

    // Meta's documented flow: the media node, then its URL, both with the token.
    let asked = w.fake.media_requests();
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert_eq!(asked[0].0, "/v21.0/1003383421387256");
    assert!(asked[1].0.starts_with("/whatsapp_business/attachments/?mid=1003383421387256"), "{asked:?}");
    let bearer = format!("Bearer {ACCESS_TOKEN}");
    assert!(asked.iter().all(|(_, auth)| auth.as_deref() == Some(bearer.as_str())), "{asked:?}");
}

#[tokio::test]
async fn a_document_keeps_the_name_the_customer_gave_it() {
    let w = wa_app().await;
    let pdf = b"%PDF-1.4\n% invoice 4411\n".to_vec();
    w.fake
        .add_media("2093", MediaFile { mime_type: "application/pdf".into(), bytes: pdf.clone(), announced_size: None });
    let hook = media_message(
        "wamid.DOC1",
        "16505551234",
        "document",
        json!({"filename": "invoice-4411.pdf", "mime_type": "application/pdf", "id": "2093"}),
    );
    assert_eq!(post_signed(&w.t, &w.hook, &hook, Some(APP_SECRET)).await.status.as_u16(), 200);
    let m = settled_message(&w).await;
    let file = &m["attachments"][0];
    assert_eq!(
        (file["name"].as_str(), file["contentType"].as_str()),
        (Some("invoice-4411.pdf"), Some("application/pdf"))
    );
    assert_eq!(download_as_ann(&w, file["url"].as_str().unwrap()).await.raw, pdf);
}

#[tokio::test]
async fn a_file_whatsapp_will_not_give_leaves_the_message_saying_why_and_retry_fetches_it() {
    let w = wa_app().await;
    w.fake.add_media("777", MediaFile { mime_type: "image/jpeg".into(), bytes: photo(), announced_size: None });
    let refusal = json!({"error": {"message": "(#131052) Media download error", "type": "OAuthException",
                                   "code": 131052, "error_data": {"messaging_product": "whatsapp",
                                   "details": "Unable to download the media sent by the user."},
                                   "fbtrace_id": "AqZ3f0Xk1"}});
    w.fake.set_media_mode(Mode::Refuse(400, refusal));
    let r = post_signed(&w.t, &w.hook, &image_hook("wamid.IMG2", "777", "Receipt"), Some(APP_SECRET)).await;
    assert_eq!(r.status.as_u16(), 200, "the webhook is answered whatever the download does: {}", r.body);

    let m = settled_message(&w).await;
    assert_eq!(m["body"], "[image] Receipt", "the message is kept as it came");
    assert!(m["attachments"].as_array().unwrap().is_empty());
    let why = m["failureReason"].as_str().unwrap();
    assert!(why.starts_with("The image did not arrive from WhatsApp"), "{why}");
    assert!(why.contains("Media download error") && why.contains("131052"), "Meta's reason is shown: {why}");
    assert_eq!(w.fake.downloads(), 0);

    // Meta recovers; the agent presses Retry on the message.
    w.fake.set_media_mode(Mode::Accept);
    let (conv, mid) = (m["conversationId"].as_i64().unwrap(), m["id"].as_i64().unwrap());
    let retry = w.t.post(&format!("/api/v1/conversations/{conv}/messages/{mid}/retry"), &w.admin, json!({})).await;
    assert!(retry.data(200)["failureReason"].is_null(), "{}", retry.body);
    let m = settled_message(&w).await;
    assert!(m["failureReason"].is_null(), "{m}");
    assert_eq!(m["attachments"][0]["name"], "image.jpg");
    assert_eq!(download_as_ann(&w, m["attachments"][0]["url"].as_str().unwrap()).await.raw, photo());

    // Nothing is left to retry once the file is there.
    let again = w.t.post(&format!("/api/v1/conversations/{conv}/messages/{mid}/retry"), &w.admin, json!({})).await;
    again.assert_error(409, "conflict");
}

#[tokio::test]
async fn a_file_over_the_size_cap_is_not_downloaded_and_the_message_says_so() {
    let w = wa_app().await;
    let huge = app::whatsapp::media::MAX_MEDIA_BYTES as u64 + 1;
    w.fake.add_media(
        "888",
        MediaFile { mime_type: "video/mp4".into(), bytes: vec![1, 2, 3], announced_size: Some(huge) },
    );
    let hook = media_message("wamid.VID1", "16505551234", "video", json!({"mime_type": "video/mp4", "id": "888"}));
    assert_eq!(post_signed(&w.t, &w.hook, &hook, Some(APP_SECRET)).await.status.as_u16(), 200);
    let m = settled_message(&w).await;
    assert_eq!(m["body"], "[video]");
    let why = m["failureReason"].as_str().unwrap();
    assert!(why.contains("larger than the 25 MiB"), "{why}");
    assert_eq!(w.fake.downloads(), 0, "a file known to be too big is not fetched");
}

#[tokio::test]
async fn a_webhook_delivered_three_times_stores_one_message_and_downloads_once() {
    let w = wa_app().await;
    w.fake.add_media("999", MediaFile { mime_type: "image/jpeg".into(), bytes: photo(), announced_size: None });
    let hook = image_hook("wamid.IMG3", "999", "Scratch on the lid");
    for _ in 0..3 {
        let r = post_signed(&w.t, &w.hook, &hook, Some(APP_SECRET)).await;
        assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    }
    let m = settled_message(&w).await;
    assert_eq!(m["attachments"].as_array().unwrap().len(), 1, "one file on the one message: {m}");
    // Give a stray second download the time to show up before counting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(w.fake.downloads(), 1, "{:?}", w.fake.media_requests());
    let m = settled_message(&w).await;
    assert_eq!(m["attachments"].as_array().unwrap().len(), 1);
}
