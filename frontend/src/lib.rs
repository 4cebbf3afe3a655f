//! The WASM entry point: hydrate the server-rendered page.

use wasm_bindgen::prelude::wasm_bindgen;

/// Called by the generated JS once the bundle is loaded.
#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::hydrate();
}
