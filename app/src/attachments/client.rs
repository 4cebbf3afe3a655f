//! Uploading a file from the composer: the browser posts the file's bytes
//! to `/uploads` with the session cookie and gets the upload back.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::Upload;

fn js_err(e: wasm_bindgen::JsValue) -> String {
    e.as_string().unwrap_or_else(|| "the upload failed".into())
}

/// Posts one file; the upload, or the server's message.
pub async fn upload(file: web_sys::File) -> Result<Upload, String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&file);
    let url = format!("/uploads?name={}", String::from(js_sys::encode_uri_component(&file.name())));
    let req = web_sys::Request::new_with_str_and_init(&url, &init).map_err(js_err)?;
    let ct = file.type_();
    req.headers().set("Content-Type", if ct.is_empty() { "application/octet-stream" } else { &ct }).map_err(js_err)?;
    let resp: web_sys::Response =
        JsFuture::from(window.fetch_with_request(&req)).await.map_err(js_err)?.dyn_into().map_err(js_err)?;
    let text = JsFuture::from(resp.text().map_err(js_err)?).await.map_err(js_err)?.as_string().unwrap_or_default();
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|_| format!("the upload failed ({})", resp.status()))?;
    if resp.ok() {
        serde_json::from_value(v["data"].clone()).map_err(|e| e.to_string())
    } else {
        Err(v["error"]["message"].as_str().unwrap_or("the upload failed").to_string())
    }
}

/// The files chosen in an `<input type="file">`.
pub fn chosen(ev: &leptos::ev::Event) -> Vec<web_sys::File> {
    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return vec![] };
    let mut out = Vec::new();
    if let Some(list) = input.files() {
        for i in 0..list.length() {
            if let Some(f) = list.get(i) {
                out.push(f);
            }
        }
    }
    input.set_value("");
    out
}
