//! The HTML document and the router: which page answers which path.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::contacts::view::ContactPageView;
use crate::conversations::view::InboxPage;
use crate::users::view::{LoginPage, SettingsPage};

/// The document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.ico"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The app: routes to the login page, the inbox, settings and contacts.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/parley.css"/>
        <Title text="Parley"/>
        <Router>
            <Routes fallback=|| view! { <p class="notfound">"Page not found."</p> }>
                <Route path=path!("/") view=|| view! { <Redirect path="/inbox"/> }/>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/inbox") view=InboxPage/>
                <Route path=path!("/settings") view=SettingsPage/>
                <Route path=path!("/contacts/:id") view=ContactPageView/>
            </Routes>
        </Router>
    }
}
