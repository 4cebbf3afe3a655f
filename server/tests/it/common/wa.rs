//! A WhatsApp channel set up as an admin would, with its Graph API calls
//! going to a fake on loopback: shared by the WhatsApp test files.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use app::users::model::Role;
use serde_json::Value;

use super::graph::{whatsapp_channel, FakeGraph};
use super::TestApp;

/// The app, its admin's API key, the fake Graph API, the channel and its
/// webhook path.
pub struct Wa {
    pub t: TestApp,
    pub admin: String,
    pub fake: FakeGraph,
    pub channel: Value,
    pub hook: String,
}

/// A fresh app with Ann Admin and a WhatsApp channel on the Support inbox.
pub async fn wa_app() -> Wa {
    let t = TestApp::new().await;
    let (_, admin) = t.user("Ann Admin", "ann@shop.test", Role::Admin).await;
    let fake = FakeGraph::start().await;
    let inbox = t.inbox_id("Support").await;
    let channel = whatsapp_channel(&t, &admin, inbox, &fake.base_url()).await;
    let hook = format!("/hooks/whatsapp/{}", channel["token"].as_str().unwrap());
    Wa { t, admin, fake, channel, hook }
}

/// The channel's conversations, open and resolved, oldest first.
pub async fn conversations_of_channel(w: &Wa) -> Vec<Value> {
    w.t.conversations_of_channel(&w.admin, &w.channel["id"]).await
}
