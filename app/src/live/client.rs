//! The browser side of `/ws`: one socket per tab, reconnecting with a short
//! back-off and resuming from the last event id, so nothing is missed and
//! nothing applied twice.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::{RwSignal, Set};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use crate::live::model::LiveEvent;

struct Conn {
    last: Cell<i64>,
    attempts: Cell<u32>,
    status: RwSignal<&'static str>,
    on_event: Box<dyn Fn(LiveEvent)>,
}

/// See [`crate::live::connect`].
pub fn connect(after: i64, status: RwSignal<&'static str>, on_event: impl Fn(LiveEvent) + 'static) {
    let conn = Rc::new(Conn { last: Cell::new(after), attempts: Cell::new(0), status, on_event: Box::new(on_event) });
    open(conn);
}

fn url(after: i64) -> Option<String> {
    let loc = web_sys::window()?.location();
    let scheme = if loc.protocol().ok()? == "https:" { "wss" } else { "ws" };
    Some(format!("{scheme}://{}/ws?after={after}", loc.host().ok()?))
}

fn open(conn: Rc<Conn>) {
    let Some(url) = url(conn.last.get()) else { return };
    conn.status.set("connecting");
    let ws = match WebSocket::new(&url) {
        Ok(ws) => ws,
        Err(_) => return retry(conn),
    };
    let c = conn.clone();
    let on_open = Closure::<dyn FnMut()>::new(move || {
        c.attempts.set(0);
        c.status.set("live");
    });
    let c = conn.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let Some(text) = e.data().as_string() else { return };
        match serde_json::from_str::<LiveEvent>(&text) {
            // Ids only grow; anything at or below the last one was applied already.
            Ok(ev) if ev.id.0 > c.last.get() => {
                c.last.set(ev.id.0);
                (c.on_event)(ev);
            }
            Ok(_) => {}
            Err(err) => leptos::logging::warn!("live: unreadable event: {err}"),
        }
    });
    let c = conn.clone();
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_e: CloseEvent| {
        c.status.set("offline");
        retry(c.clone());
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    // The socket lives as long as the tab: its handlers must too.
    on_open.forget();
    on_message.forget();
    on_close.forget();
}

fn retry(conn: Rc<Conn>) {
    let n = conn.attempts.get().min(5);
    conn.attempts.set(n + 1);
    // 0.5 s, 1 s, 2 s … capped at 16 s.
    let delay = 500u32 << n;
    gloo_timers::callback::Timeout::new(delay, move || open(conn)).forget();
}
