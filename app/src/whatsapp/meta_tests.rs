//! Meta's documented webhook examples, read back.

use super::*;

fn hook(values: &[serde_json::Value]) -> Vec<u8> {
    let changes: Vec<serde_json::Value> =
        values.iter().map(|v| serde_json::json!({"field": "messages", "value": v})).collect();
    serde_json::json!({"object": "whatsapp_business_account",
                       "entry": [{"id": "102290129340398", "changes": changes}]})
    .to_string()
    .into_bytes()
}

fn value(extra: serde_json::Value) -> serde_json::Value {
    let mut v = serde_json::json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
    });
    for (k, x) in extra.as_object().into_iter().flatten() {
        v[k] = x.clone();
    }
    v
}

fn read(body: &[u8]) -> Notification {
    parse(body).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_text_message_with_its_senders_profile() {
    let n = read(&hook(&[value(serde_json::json!({
        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
        "messages": [{"from": "16505551234", "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
                      "timestamp": "1749416383", "type": "text", "text": {"body": "Does it come in another color?"}}],
    }))]));
    assert!(n.statuses.is_empty());
    assert_eq!(
        n.messages,
        vec![IncomingMessage {
            phone_number_id: "106540352242922".into(),
            wamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=".into(),
            wa_id: "16505551234".into(),
            phone: "+16505551234".into(),
            name: Some("Sheena Nelson".into()),
            body: "Does it come in another color?".into(),
            media: None,
        }]
    );
}

#[test]
fn media_says_what_arrived_with_its_caption() {
    let n = read(&hook(&[value(serde_json::json!({
        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
        "messages": [
            {"from": "16505551234", "id": "wamid.1", "timestamp": "1", "type": "image",
             "image": {"caption": "The broken hinge", "mime_type": "image/jpeg",
                       "sha256": "SfInY0gHhJ1NbJ7sXJ+7xUK0lN1ypRzxOhVNv2Dz4qA=", "id": "1003383421387256"}},
            {"from": "16505551234", "id": "wamid.2", "timestamp": "1", "type": "document",
             "document": {"filename": "invoice.pdf", "mime_type": "application/pdf", "id": "2"}},
            {"from": "16505551234", "id": "wamid.3", "timestamp": "1", "type": "audio",
             "audio": {"mime_type": "audio/ogg; codecs=opus", "id": "3", "voice": true}},
            {"from": "16505551234", "id": "wamid.4", "timestamp": "1", "type": "location",
             "location": {"latitude": 37.483_07, "longitude": -122.148_35, "name": "Philz Coffee",
                          "address": "101 Forest Ave, Palo Alto, CA 94301"}},
            {"from": "16505551234", "id": "wamid.5", "timestamp": "1", "type": "unsupported",
             "errors": [{"code": 131051, "title": "Message type unknown"}]},
        ],
    }))]));
    let bodies: Vec<&str> = n.messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        [
            "[image] The broken hinge",
            "[document invoice.pdf]",
            "[audio]",
            "[location] Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301 (37.48307, -122.14835)",
            "[unsupported message: open WhatsApp to see it]",
        ]
    );
    // Each file is fetched later by its id, under a name a person recognises.
    let files: Vec<Option<(String, String)>> = n
        .messages
        .iter()
        .map(|m| m.media.as_ref().map(|f| (f.id.clone(), f.file_name(f.mime_type.as_deref().unwrap_or_default()))))
        .collect();
    assert_eq!(
        files,
        [
            Some(("1003383421387256".into(), "image.jpg".into())),
            Some(("2".into(), "invoice.pdf".into())),
            Some(("3".into(), "audio.ogg".into())),
            None,
            None,
        ]
    );
}

#[test]
fn statuses_map_to_delivery_and_keep_the_failure() {
    let n = read(&hook(&[value(serde_json::json!({
        "statuses": [
            {"id": "wamid.A", "status": "delivered", "timestamp": "1750263773", "recipient_id": "16505551234",
             "pricing": {"billable": true, "pricing_model": "PMP", "category": "utility"}},
            {"id": "wamid.B", "status": "failed", "timestamp": "1750263773", "recipient_id": "16505551234",
             "errors": [{"code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
                         "error_data": {"details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
                         "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]},
            {"id": "wamid.C", "status": "read", "timestamp": "1", "recipient_id": "16505551234"},
            {"id": "wamid.D", "status": "deleted", "timestamp": "1", "recipient_id": "16505551234"},
        ],
    }))]));
    let got: Vec<(&str, Option<DeliveryStatus>)> = n.statuses.iter().map(|s| (s.wamid.as_str(), s.status)).collect();
    assert_eq!(
        got,
        [
            ("wamid.A", Some(DeliveryStatus::Delivered)),
            ("wamid.B", Some(DeliveryStatus::Failed)),
            ("wamid.C", Some(DeliveryStatus::Read)),
            ("wamid.D", None),
        ]
    );
    let reason = n.statuses[1].reason.clone().unwrap_or_default();
    assert!(reason.contains("Re-engagement message") && reason.contains("more than 24 hours"), "{reason}");
    assert!(reason.contains("131047"), "{reason}");
    assert_eq!(n.statuses[0].reason, None);
}

#[test]
fn several_entries_and_changes_are_all_read() {
    let text = |id: &str, from: &str| serde_json::json!({"from": from, "id": id, "timestamp": "1", "type": "text", "text": {"body": id}});
    let first =
        value(serde_json::json!({"messages": [text("wamid.1", "447700900123"), text("wamid.2", "447700900123")]}));
    let second = value(serde_json::json!({"statuses": [{"id": "wamid.S", "status": "sent", "recipient_id": "1"}]}));
    let body = serde_json::json!({"object": "whatsapp_business_account", "entry": [
        {"id": "1", "changes": [{"field": "messages", "value": first}]},
        {"id": "1", "changes": [
            {"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}},
            {"field": "messages", "value": second},
            {"field": "messages", "value": value(serde_json::json!({"messages": [text("wamid.3", "4915123456789")]}))},
        ]},
    ]});
    let n = read(body.to_string().as_bytes());
    let ids: Vec<&str> = n.messages.iter().map(|m| m.wamid.as_str()).collect();
    assert_eq!(ids, ["wamid.1", "wamid.2", "wamid.3"]);
    assert_eq!(n.messages[2].phone, "+4915123456789");
    assert_eq!(n.messages[0].name, None, "no contacts block: no name");
    assert_eq!(n.statuses.len(), 1);
}

#[test]
fn what_is_not_a_cloud_api_webhook_is_refused_saying_where() {
    let at = |body: &str| parse(body.as_bytes()).map(|_| ()).map_err(|e| e.at);
    assert_eq!(at("{not json"), Err("body".into()));
    assert_eq!(at(r#"{"object": "page", "entry": []}"#), Err("object".into()));
    assert_eq!(at(r#"{"entry": []}"#), Err("object".into()));
    assert_eq!(at(r#"{"object": "whatsapp_business_account"}"#), Err("entry".into()));
    let no_from =
        hook(&[value(serde_json::json!({"messages": [{"id": "wamid.1", "type": "text", "text": {"body": "x"}}]}))]);
    assert_eq!(
        parse(&no_from).map(|_| ()).map_err(|e| e.at),
        Err("entry[0].changes[0].value".into()),
        "a message without a sender"
    );
    let letters = hook(&[value(serde_json::json!({"messages": [{"from": "ACME", "id": "wamid.1", "type": "text"}]}))]);
    assert_eq!(parse(&letters).map(|_| ()).map_err(|e| e.at), Err("entry[0].changes[0].value.messages[0].from".into()));
    let no_metadata = br#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[]}}]}]}"#;
    assert!(parse(no_metadata).is_err(), "which number it was for must be said");
}
