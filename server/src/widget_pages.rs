//! The small plain pages a no-JavaScript contact form lands on: thanks,
//! a form to fix (the field named, what was typed kept), and problems.
//! Self-contained HTML with inline CSS, so they need no built assets.

use app::error::AppError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t}</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1f2937}}\
         label{{display:block;margin-top:.75rem}}input,textarea{{width:100%;font:inherit;padding:.4rem}}\
         .error{{color:#b91c1c}}button{{margin-top:1rem;font:inherit;padding:.4rem 1rem}}</style></head>\
         <body><h1>{t}</h1>{body}</body></html>",
        t = esc(title),
    );
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// `GET /widget/{token}/thanks`.
pub fn thanks(channel_name: &str) -> Response {
    page(
        StatusCode::OK,
        "Thank you",
        &format!(
            "<p>Your message reached {}. We'll get back to you, by email if you gave us your address.</p>\
             <p><a href=\"javascript:history.back()\">Back</a></p>",
            esc(channel_name)
        ),
    )
}

/// The chat panel (`GET /widget/{token}/panel`): markup only; the script
/// and style are the static `/widget-panel.js` and `/widget-panel.css`.
/// `frame-ancestors` lets only Parley itself and the allowed origins frame
/// it (none listed: Parley only, so the channel is not set up for sites).
pub fn panel(token: &str, channel_name: &str, allowed_origins: &[String]) -> Response {
    let mut ancestors = vec!["'self'".to_string()];
    // Stored origins were normalized on save (scheme://host[:port]); any
    // character that could end the directive is dropped all the same.
    ancestors.extend(allowed_origins.iter().filter(|o| !o.contains([';', ',', ' ', '\'', '"'])).map(|o| o.to_string()));
    let csp = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors {}",
        ancestors.join(" ")
    );
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{name}</title>\
         <link rel=\"stylesheet\" href=\"/widget-panel.css\"></head><body>\
         <main class=\"panel\" data-channel=\"{token}\">\
         <header><strong>{name}</strong><button type=\"button\" class=\"close\" aria-label=\"Close\">&#215;</button></header>\
         <p class=\"greeting\">Hi! How can we help?</p><p class=\"hours\" hidden></p>\
         <ol class=\"messages\" aria-live=\"polite\"></ol>\
         <form class=\"send\"><div class=\"prechat\"></div>\
         <input name=\"website\" class=\"hp\" tabindex=\"-1\" autocomplete=\"off\" aria-hidden=\"true\">\
         <textarea name=\"message\" aria-label=\"Message\" placeholder=\"Write a message\u{2026}\"></textarea>\
         <p class=\"error\" role=\"alert\" hidden></p><button type=\"submit\">Send</button></form></main>\
         <script src=\"/widget-panel.js\"></script></body></html>",
        name = esc(channel_name),
        token = esc(token),
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()), (header::CONTENT_SECURITY_POLICY, csp)],
        html,
    )
        .into_response()
}

/// A page saying what went wrong, with the status.
pub fn problem(status: StatusCode, message: &str) -> Response {
    page(status, "Your message was not sent", &format!("<p class=\"error\">{}</p>", esc(message)))
}

/// `422`: the form again, the field to fix named and everything typed kept.
pub fn form_error(token: &str, posted: &Value, e: &AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    let text = |k: &str| posted.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut hidden = String::new();
    // Everything but the visible fields rides along unchanged.
    if let Some(obj) = posted.as_object() {
        for (k, v) in obj {
            let pairs: Vec<(String, String)> = match v {
                Value::String(s) if !["name", "email", "message"].contains(&k.as_str()) => vec![(k.clone(), s.clone())],
                Value::Object(m) => {
                    m.iter().filter_map(|(ik, iv)| iv.as_str().map(|s| (format!("{k}[{ik}]"), s.to_string()))).collect()
                }
                _ => vec![],
            };
            for (name, value) in pairs {
                hidden.push_str(&format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", esc(&name), esc(&value)));
            }
        }
    }
    let body = format!(
        "<p class=\"error\" role=\"alert\">{msg}</p>\
         <form method=\"post\" action=\"/widget/{token}/messages\">{hidden}\
         <label>Name <input name=\"name\" value=\"{name}\"></label>\
         <label>Email <input name=\"email\" type=\"email\" value=\"{email}\"></label>\
         <label>Message <textarea name=\"message\" rows=\"6\">{message}</textarea></label>\
         <button type=\"submit\">Send</button></form>",
        msg = esc(&e.to_string()),
        token = esc(token),
        name = esc(&text("name")),
        email = esc(&text("email")),
        message = esc(&text("message")),
    );
    page(status, "Please check your message", &body)
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
