//! The server's integration tests, as one test binary: each binary links
//! the whole app, so one instead of one per file saves CI minutes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod assignment;
mod automations;
mod bulk;
mod common;
mod contacts;
mod db_writes;
mod email;
mod email_corpus;
mod list_search;
mod list_views;
mod live_ws;
mod manager_views;
mod openapi;
mod pages;
mod reply_channels;
mod rest_contacts_users;
mod rest_conversations;
mod rest_inboxes;
mod routing;
mod search;
mod sms;
mod snooze_waker;
mod templates;
mod ui_server_fns;
mod whatsapp;
mod whatsapp_media;
mod widget;
mod widget_live;
