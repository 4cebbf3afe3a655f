use serde_json::json;

use super::*;

fn field_of<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
    match r {
        Err(AppError::Validation { field, .. }) => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn settings_are_checked_and_origins_normalized() {
    let s = WidgetSettings::parse(&json!({
        "allowedOrigins": ["https://Example.com/", "http://localhost:8080", "https://shop.test:443"],
        "preChatFields": ["name", "email", "company"],
        "greeting": " Hi there ",
        "hmacSecret": "0123456789abcdef0123",
    }))
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(s.allowed_origins, ["https://example.com", "http://localhost:8080", "https://shop.test"]);
    assert_eq!(s.greeting, "Hi there");
    assert!(s.unconfigured_reason().is_none());
    assert!(WidgetSettings::parse(&json!({})).unwrap_or_default().unconfigured_reason().is_some());
    assert_eq!(WidgetSettings::parse(&serde_json::Value::Null).unwrap_or_default(), WidgetSettings::default());

    assert_eq!(
        field_of(WidgetSettings::parse(&json!({"allowedOrigins": ["https://a.test/path"]}))),
        "settings.allowedOrigins[0]"
    );
    assert_eq!(
        field_of(WidgetSettings::parse(&json!({"allowedOrigins": "https://a.test"}))),
        "settings.allowedOrigins"
    );
    assert_eq!(
        field_of(WidgetSettings::parse(&json!({"preChatFields": ["name", "name"]}))),
        "settings.preChatFields[1]"
    );
    assert_eq!(field_of(WidgetSettings::parse(&json!({"preChatFields": ["website"]}))), "settings.preChatFields[0]");
    assert_eq!(field_of(WidgetSettings::parse(&json!({"preChatFields": ["a b"]}))), "settings.preChatFields[0]");
    assert_eq!(field_of(WidgetSettings::parse(&json!({"hmacSecret": "short"}))), "settings.hmacSecret");
    assert_eq!(field_of(WidgetSettings::parse(&json!({"greeting": 3}))), "settings.greeting");
}

#[test]
fn origins_are_allowed_by_list_or_as_parley_itself() {
    let s = WidgetSettings { allowed_origins: vec!["https://example.com".into()], ..Default::default() };
    let public = "https://parley.example";
    assert!(s.allows_origin("https://example.com", public));
    assert!(s.allows_origin("https://EXAMPLE.com:443", public));
    assert!(s.allows_origin("https://parley.example", public));
    assert!(!s.allows_origin("http://example.com", public));
    assert!(!s.allows_origin("https://evil.test", public));
    assert!(!s.allows_origin("null", public));
}

#[test]
fn posts_are_read_field_by_field() {
    let p = WidgetPost::parse(&json!({
        "name": " Ada ", "email": "ada@example.com", "message": "Hello\n",
        "pageUrl": "https://example.com/pricing", "attributes": {"plan": "pro", "seats": 5},
        "fields": {"company": "Acme"}, "visitor": "abc",
    }))
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(p.name.as_deref(), Some("Ada"));
    assert_eq!(p.message, "Hello");
    assert_eq!(p.attributes.get("seats").map(String::as_str), Some("5"));
    assert!(!p.honeypot && p.identity.is_none());
    assert_eq!(p.stored_attributes().len(), 3);

    assert_eq!(field_of(WidgetPost::parse(&json!({"name": "Ada"}))), "message");
    assert_eq!(field_of(WidgetPost::parse(&json!({"message": " "}))), "message");
    assert_eq!(field_of(WidgetPost::parse(&json!({"message": "x", "email": "nope"}))), "email");
    assert_eq!(field_of(WidgetPost::parse(&json!({"message": "x", "pageUrl": "ftp://x"}))), "pageUrl");
    assert_eq!(field_of(WidgetPost::parse(&json!({"message": "x", "attributes": {"plan": [1]}}))), "attributes.plan");
    assert_eq!(field_of(WidgetPost::parse(&json!({"message": "x", "identifier": "u1"}))), "identifierHash");
    assert!(WidgetPost::parse(&json!({"message": "x", "website": "http://spam"})).is_ok_and(|p| p.honeypot));
}

#[test]
fn pre_chat_fields_are_required_by_name() {
    let s =
        WidgetSettings { pre_chat_fields: vec!["name".into(), "email".into(), "company".into()], ..Default::default() };
    let p = WidgetPost::parse(&json!({"message": "x", "name": "Ada"})).unwrap_or_default();
    assert_eq!(field_of(p.require(&s)), "email");
    let p = WidgetPost::parse(&json!({"message": "x", "name": "Ada", "email": "a@b.test"})).unwrap_or_default();
    assert_eq!(field_of(p.require(&s)), "fields.company");
}

#[test]
fn forms_become_the_widget_json() {
    let pairs: Vec<(String, String)> = [("message", "Hi"), ("attributes[plan]", "pro"), ("fields[company]", "Acme")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let v = form_to_json(&pairs);
    assert_eq!(v, json!({"message": "Hi", "attributes": {"plan": "pro"}, "fields": {"company": "Acme"}}));
}
