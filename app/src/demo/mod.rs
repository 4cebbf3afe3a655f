//! The demo workspace `parley serve --demo` seeds into an empty database:
//! three inboxes, an admin and three agents, twenty contacts and forty
//! conversations over every status, channel kind and inbox, with inbound
//! messages, replies and notes spread over the last days, and a few reply
//! templates (`/refund`, `/thanks`, `/thanks-sms`).

use crate::conversations::model::{Priority, Status};
use crate::conversations::server::record_event;
use crate::db::Db;
use crate::error::AppResult;
use crate::ids::{ChannelId, ContactId, ConversationId, InboxId, UserId, WorkspaceId};
use crate::live::model::EventKind;
use crate::messages::model::{ChannelKind, DeliveryStatus, Direction};
use crate::messages::server::{insert, NewMessage};
use crate::time::Timestamp;
use crate::users::server::hash_password;
use crate::workspace::add_channel;

mod templates;

/// The demo login printed at start.
pub const ADMIN_EMAIL: &str = "admin@demo.parley";
/// The password of every demo user.
pub const PASSWORD: &str = "parley-demo";

const AGENTS: [(&str, &str); 3] =
    [("Ada Park", "ada@demo.parley"), ("Ben Ortiz", "ben@demo.parley"), ("Chloe Martin", "chloe@demo.parley")];

const CONTACTS: [(&str, &str, &str); 20] = [
    ("Maria Garcia", "maria.garcia@example.com", "+14155550101"),
    ("James Smith", "james.smith@example.com", "+14155550102"),
    ("Li Wei", "li.wei@example.com", "+14155550103"),
    ("Fatima Khan", "fatima.khan@example.com", "+14155550104"),
    ("Oliver Brown", "oliver.brown@example.com", "+442071230105"),
    ("Sofia Rossi", "sofia.rossi@example.com", "+390612340106"),
    ("Noah Wilson", "noah.wilson@example.com", "+14155550107"),
    ("Emma Johnson", "emma.johnson@example.com", "+14155550108"),
    ("Lucas Silva", "lucas.silva@example.com", "+5511987650109"),
    ("Aiko Tanaka", "aiko.tanaka@example.com", "+81312340110"),
    ("Hans Müller", "hans.mueller@example.com", "+49301230111"),
    ("Chloé Dubois", "chloe.dubois@example.com", "+33123450112"),
    ("Ravi Patel", "ravi.patel@example.com", "+919812340113"),
    ("Grace Lee", "grace.lee@example.com", "+14155550114"),
    ("Tom Baker", "tom.baker@example.com", "+14155550115"),
    ("Nina Petrova", "nina.petrova@example.com", "+74951230116"),
    ("Omar Haddad", "omar.haddad@example.com", "+971501230117"),
    ("Zoe Clark", "zoe.clark@example.com", "+14155550118"),
    ("Diego López", "diego.lopez@example.com", "+34912340119"),
    ("Hannah Kim", "hannah.kim@example.com", "+821012340120"),
];

const TOPICS: [(&str, &str, &str, &str); 10] = [
    (
        "Can't log in after password reset",
        "Hi, I reset my password this morning but the app still says my credentials are wrong. Can you help?",
        "Sorry about that! I've cleared the lock on your account — please try again and let me know.",
        "Checked the auth logs: three failed attempts, account was locked.",
    ),
    (
        "Invoice shows the wrong VAT number",
        "Our latest invoice lists an old VAT number. Could you reissue it with DE811234567?",
        "Thanks for flagging this. I've updated your billing profile and a corrected invoice is on its way.",
        "Finance confirmed the reissue; credit note needed for the old one.",
    ),
    (
        "Question about the Team plan",
        "We're a team of 12. Does the Team plan include SSO, and is there an annual discount?",
        "Great question! SSO is included on Team, and annual billing saves 15%. Want me to set up a trial?",
        "Hot lead — 12 seats, asked about SSO. Loop in Ben for the demo.",
    ),
    (
        "Order #4821 hasn't arrived",
        "My order #4821 was supposed to arrive on Monday and the tracking hasn't moved in 4 days.",
        "I've contacted the carrier and opened a trace. If it doesn't move by Friday we'll ship a replacement.",
        "Carrier trace opened: ref TR-99812.",
    ),
    (
        "Refund for duplicate charge",
        "I was charged twice for my subscription this month. Please refund one of them.",
        "You're right, there was a duplicate charge. The refund has been issued and should show in 3-5 days.",
        "Duplicate charge caused by the retry bug from last week.",
    ),
    (
        "Feature request: dark mode",
        "Any plans for a dark mode? Working late nights and my eyes would thank you.",
        "It's on our roadmap for next quarter — I've added your vote!",
        "Tagging for the product feedback digest.",
    ),
    (
        "Export data to CSV",
        "How can I export all my contacts to a CSV file?",
        "Go to Contacts → Export, pick CSV, and you'll get an email with the file in a few minutes.",
        "Docs link for export is outdated; reported to docs team.",
    ),
    (
        "Upgrade to annual billing",
        "We'd like to switch from monthly to annual billing starting next month.",
        "Done! Your plan switches to annual on the 1st, and the prorated credit is applied.",
        "Annual switch scheduled; no action needed.",
    ),
    (
        "Bulk pricing for 50 licenses",
        "We're evaluating your product for 50 people. What pricing can you offer?",
        "For 50 licenses we can offer volume pricing — I'll send a quote today.",
        "Needs approval for >20% discount.",
    ),
    (
        "App crashes on startup",
        "Since the last update the mobile app crashes right after the splash screen (Android 15).",
        "Thanks for the report — a fix is rolling out in version 4.2.1 today. Updating should solve it.",
        "Matches crash cluster #311 in the tracker.",
    ),
];

/// Seeds the demo if the database has no users yet. Returns whether it did.
pub async fn seed_if_empty(db: &Db, ws: WorkspaceId) -> AppResult<bool> {
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&db.pool).await?;
    if users > 0 {
        return Ok(false);
    }
    let hash = hash_password(PASSWORD.to_string()).await?;
    let now = Timestamp::now();
    let mut tx = db.write().await?;
    sqlx::query("UPDATE workspaces SET name = 'Acme Inc.' WHERE id = ?").bind(ws).execute(&mut *tx).await?;

    let mut user_ids = Vec::new();
    for (name, email, role) in
        std::iter::once(("Alex Admin", ADMIN_EMAIL, "admin")).chain(AGENTS.iter().map(|(n, e)| (*n, *e, "agent")))
    {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (workspace_id, name, email, password_hash, role, signature, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(ws)
        .bind(name)
        .bind(email)
        .bind(&hash)
        .bind(role)
        .bind(format!("— {name}, Acme Support"))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        user_ids.push(UserId(id));
    }
    let agents = &user_ids[1..];

    let support: InboxId = sqlx::query_scalar("SELECT id FROM inboxes WHERE workspace_id = ? AND is_default = 1")
        .bind(ws)
        .fetch_one(&mut *tx)
        .await?;
    let mut inboxes = vec![support];
    for (name, desc, color, icon) in [
        ("Sales", "Pricing, trials and upgrades", "#10B981", "briefcase"),
        ("Billing", "Invoices, refunds and payments", "#F59E0B", "receipt"),
    ] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO inboxes (workspace_id, name, description, color, icon, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(ws)
        .bind(name)
        .bind(desc)
        .bind(color)
        .bind(icon)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        inboxes.push(InboxId(id));
    }
    // Billing is restricted: only Chloe (and admins) see it.
    sqlx::query("UPDATE inboxes SET access_everyone = 0 WHERE id = ?").bind(inboxes[2]).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO inbox_members (inbox_id, user_id) VALUES (?, ?)")
        .bind(inboxes[2])
        .bind(agents[2])
        .execute(&mut *tx)
        .await?;

    let api: ChannelId = sqlx::query_scalar("SELECT id FROM channels WHERE workspace_id = ? AND kind = 'api'")
        .bind(ws)
        .fetch_one(&mut *tx)
        .await?;
    let channels: Vec<(ChannelId, ChannelKind)> = vec![
        (email_channel(&mut tx, ws, "Support email", "support@demo.parley", inboxes[0]).await?, ChannelKind::Email),
        (add_channel(&mut tx, ws, "Support SMS", "sms", inboxes[0]).await?, ChannelKind::Sms),
        (add_channel(&mut tx, ws, "WhatsApp", "whatsapp", inboxes[1]).await?, ChannelKind::Whatsapp),
        (add_channel(&mut tx, ws, "Website chat", "widget", inboxes[1]).await?, ChannelKind::Widget),
        (email_channel(&mut tx, ws, "Billing email", "billing@demo.parley", inboxes[2]).await?, ChannelKind::Email),
        (api, ChannelKind::Api),
    ];

    let mut contacts = Vec::new();
    for (i, (name, email, phone)) in CONTACTS.iter().enumerate() {
        let created = now.plus_secs(-(30 - i as i64) * 86_400);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contacts (workspace_id, name, email, phone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(ws)
        .bind(name)
        .bind(email)
        .bind(phone)
        .bind(created)
        .bind(created)
        .fetch_one(&mut *tx)
        .await?;
        contacts.push(ContactId(id));
    }

    let statuses = [Status::New, Status::Open, Status::Pending, Status::Snoozed, Status::Resolved, Status::Closed];
    let priorities = [Priority::None, Priority::Low, Priority::Medium, Priority::High, Priority::Urgent];
    for i in 0..40usize {
        let (subject, ask, reply, note) = TOPICS[i % TOPICS.len()];
        let (channel, kind) = channels[i % channels.len()];
        let inbox: InboxId =
            sqlx::query_scalar("SELECT inbox_id FROM channels WHERE id = ?").bind(channel).fetch_one(&mut *tx).await?;
        let contact = contacts[(i * 7) % contacts.len()];
        // The first eight are new arrivals; the rest cycle through every status.
        let status = if i < 8 { Status::New } else { statuses[i % statuses.len()] };
        let assignee = match status {
            Status::New if i % 3 == 0 => None,
            Status::New => None,
            _ if i % 5 == 0 => None,
            _ => Some(agents[i % agents.len()]),
        };
        // Billing's conversations belong to Chloe, the one agent with access.
        let assignee = if inbox == inboxes[2] && assignee.is_some() { Some(agents[2]) } else { assignee };
        let started = now.plus_secs(-((i as i64 * 3 + 1) * 3600 + (i as i64 % 4) * 86_400));
        let conv = insert_conversation(
            &mut tx,
            ws,
            inbox,
            channel,
            contact,
            subject,
            status,
            priorities[i % 5],
            assignee,
            started,
            now,
        )
        .await?;
        let sender = assignee.unwrap_or(agents[0]);
        // The customer asks; unless still New, an agent notes and replies;
        // every fourth one has a customer follow-up waiting.
        let customer = Who::Customer(contact);
        let mut script = vec![(customer, ask, 0)];
        if status != Status::New {
            script.push((Who::Note(sender), note, 1800));
            script.push((Who::Agent(sender), reply, 900));
            if i % 4 == 1 {
                script.push((customer, "Thanks, that helps! One more thing — can you confirm by email?", 3600));
            }
        }
        let mut t = started;
        for (who, body, after) in script {
            t = t.plus_secs(after);
            insert(&mut tx, &who.message(conv, kind, subject, body, t)).await?;
            if let Who::Agent(_) = who {
                sqlx::query("UPDATE conversations SET first_response_at = COALESCE(first_response_at, ?) WHERE id = ?")
                    .bind(t)
                    .bind(conv)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        // Unread when the customer spoke last.
        let unread = matches!(status, Status::New) || i % 4 == 1;
        sqlx::query("UPDATE conversations SET unread = ? WHERE id = ?")
            .bind(unread)
            .bind(conv)
            .execute(&mut *tx)
            .await?;
        record_event(&mut tx, EventKind::ConversationCreated, conv, None, "seeded".into(), None).await?;
    }
    crate::templates::server::seed(&mut tx, ws, &templates::all()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Who writes a demo message.
#[derive(Clone, Copy)]
enum Who {
    Customer(ContactId),
    Agent(UserId),
    Note(UserId),
}

impl Who {
    fn message<'a>(
        self,
        conv: ConversationId,
        kind: ChannelKind,
        subject: &'a str,
        body: &'a str,
        at: Timestamp,
    ) -> NewMessage<'a> {
        let (direction, channel_kind, user, contact, delivery) = match self {
            Who::Customer(c) => (Direction::Inbound, kind, None, Some(c), None),
            Who::Agent(u) => (Direction::Outbound, kind, Some(u), None, Some(DeliveryStatus::Delivered)),
            Who::Note(u) => (Direction::Note, ChannelKind::Note, Some(u), None, None),
        };
        NewMessage {
            channel_id: None,
            conversation_id: conv,
            direction,
            channel_kind,
            sender_user_id: user,
            sender_contact_id: contact,
            subject,
            body,
            delivery_status: delivery,
            failure_reason: None,
            provider_message_id: None,
            created_at: at,
            html: None,
            message_id: None,
            content_hash: None,
            cc: &[],
            automatic: false,
        }
    }
}

/// A real email channel: mail to its forwarding address arrives; replies
/// wait for an outgoing server (Settings shows "Not set up").
async fn email_channel(
    conn: &mut sqlx::SqliteConnection,
    ws: WorkspaceId,
    name: &str,
    address: &str,
    inbox: InboxId,
) -> AppResult<ChannelId> {
    let id = add_channel(&mut *conn, ws, name, "email", inbox).await?;
    let token: String =
        sqlx::query_scalar("SELECT token FROM channels WHERE id = ?").bind(id).fetch_one(&mut *conn).await?;
    let settings = serde_json::json!({"address": address, "fromName": format!("Demo {name}")});
    sqlx::query(
        "UPDATE channels SET settings = ?, inbound_local = ?, health_status = 'unconfigured',
            health_detail = 'No outgoing mail server is set.' WHERE id = ?",
    )
    .bind(settings.to_string())
    .bind(crate::email::address::inbound_local(address, &token))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
async fn insert_conversation(
    conn: &mut sqlx::SqliteConnection,
    ws: WorkspaceId,
    inbox: InboxId,
    channel: ChannelId,
    contact: ContactId,
    subject: &str,
    status: Status,
    priority: Priority,
    assignee: Option<UserId>,
    started: Timestamp,
    now: Timestamp,
) -> AppResult<ConversationId> {
    let snoozed_until = (status == Status::Snoozed).then(|| now.plus_secs(2 * 86_400));
    let resolved_at = matches!(status, Status::Resolved | Status::Closed).then(|| started.plus_secs(7200));
    let closed_at = (status == Status::Closed).then(|| started.plus_secs(9000));
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO conversations (workspace_id, inbox_id, channel_id, contact_id, subject, status, priority, assignee_id,
            snoozed_until, resolved_at, closed_at, created_at, last_activity_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(ws)
    .bind(inbox)
    .bind(channel)
    .bind(contact)
    .bind(subject)
    .bind(status)
    .bind(priority)
    .bind(assignee)
    .bind(snoozed_until)
    .bind(resolved_at)
    .bind(closed_at)
    .bind(started)
    .bind(started)
    .fetch_one(conn)
    .await?;
    Ok(ConversationId(id))
}
