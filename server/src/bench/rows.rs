//! The generated rows, computed without touching the database: contacts,
//! and conversations each with its messages and labels, consistent with
//! one another the way the app keeps them (message count, preview, last
//! activity and first response follow the messages).
//!
//! The shape of the workspace, chosen so each list view and filter has
//! plenty of rows: two years of history, the newest 5% mostly still open
//! and older ones mostly resolved or closed; five inboxes of unequal size;
//! five channel kinds per inbox; ten people to assign to; priorities,
//! labels, unread and spam in the proportions below.

use app::conversations::model::{Priority, Status};
use app::messages::model::{preview_of, ChannelKind, DeliveryStatus, Direction};

use super::text::{self, Rng, Thread};

const DAY_MS: i64 = 86_400_000;
/// How far back the history goes.
const HISTORY_DAYS: i64 = 730;

/// The labels conversations get, by weight: "billing" is common, "vip" rare.
pub const LABELS: &[(u64, &str)] = &[
    (20, "billing"),
    (20, "shipping"),
    (15, "refund"),
    (15, "feedback"),
    (10, "bug"),
    (10, "feature-request"),
    (5, "escalated"),
    (5, "vip"),
];

/// Channel kinds by share of conversations.
pub const KINDS: &[(u64, ChannelKind)] = &[
    (55, ChannelKind::Email),
    (15, ChannelKind::Widget),
    (12, ChannelKind::Whatsapp),
    (10, ChannelKind::Sms),
    (8, ChannelKind::Api),
];

/// Inboxes by share of conversations (index into [`Plan::inboxes`]).
const INBOX_SHARE: &[(u64, usize)] = &[(50, 0), (20, 1), (15, 2), (10, 3), (5, 4)];

/// What the rows refer to, and how many to make.
#[derive(Debug, Clone)]
pub struct Plan {
    pub workspace_id: i64,
    pub conversations: u64,
    pub messages: u64,
    pub contacts: u64,
    /// Ids are given explicitly (messages must name their conversation
    /// without a round trip); these are the first of each.
    pub first_conversation_id: i64,
    pub first_message_id: i64,
    pub first_contact_id: i64,
    /// The people conversations are assigned to: id and first name.
    pub users: Vec<(i64, String)>,
    /// Per inbox (same order as [`INBOX_SHARE`]): its id and its channel of each kind.
    pub inboxes: Vec<(i64, Vec<(ChannelKind, i64)>)>,
    /// "Now" in milliseconds: the history ends here.
    pub now: i64,
}

pub struct ContactRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub created_at: i64,
}

/// Contact `i` (0-based) of the plan. Email and phone carry the index, so
/// they are unique as the schema requires.
pub fn contact(plan: &Plan, i: u64) -> ContactRow {
    let first = text::FIRST_NAMES[(i % text::FIRST_NAMES.len() as u64) as usize];
    let last = text::LAST_NAMES[((i / text::FIRST_NAMES.len() as u64) % text::LAST_NAMES.len() as u64) as usize];
    ContactRow {
        id: plan.first_contact_id + i as i64,
        name: format!("{first} {last}"),
        email: format!("{}.{}{}@example.com", first.to_lowercase(), last.to_lowercase(), i),
        // A third of the contacts wrote in by phone at some point.
        phone: (i % 3 == 0).then(|| format!("+1555{i:09}")),
        created_at: plan.now - HISTORY_DAYS * DAY_MS,
    }
}

pub struct ConvRow {
    pub id: i64,
    pub inbox_id: i64,
    pub channel_id: i64,
    pub contact_id: i64,
    pub subject: String,
    pub preview: String,
    pub status: Status,
    pub priority: Priority,
    pub assignee_id: Option<i64>,
    pub spam: bool,
    pub unread: bool,
    pub snoozed_until: Option<i64>,
    pub message_count: i64,
    pub created_at: i64,
    pub last_activity_at: i64,
    pub first_response_at: Option<i64>,
    pub last_inbound_at: Option<i64>,
    pub last_outbound_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
}

pub struct MsgRow {
    pub id: i64,
    pub conversation_id: i64,
    pub direction: Direction,
    pub channel_kind: ChannelKind,
    pub sender_user_id: Option<i64>,
    pub sender_contact_id: Option<i64>,
    pub subject: String,
    pub body: String,
    pub delivery_status: Option<DeliveryStatus>,
    pub created_at: i64,
}

/// A batch of conversations with their messages and labels.
#[derive(Default)]
pub struct Chunk {
    pub conversations: Vec<ConvRow>,
    pub messages: Vec<MsgRow>,
    pub labels: Vec<(i64, &'static str)>,
}

/// Makes the conversations of a plan in order, a chunk at a time.
pub struct Generator {
    plan: Plan,
    rng: Rng,
    /// The next conversation's index (0-based).
    next: u64,
    /// Messages made so far.
    messages: u64,
    /// See [`Generator::message_count`].
    jitter: u64,
    max_jitter: u64,
    /// Every `rare_every`-th message carries the rare word.
    rare_every: u64,
}

impl Generator {
    pub fn new(plan: Plan, seed: u64) -> Self {
        let per_conversation = plan.messages / plan.conversations.max(1);
        let rare_every = (plan.messages / text::RARE_COUNT).max(1);
        Self {
            rng: Rng::new(seed),
            next: 0,
            messages: 0,
            jitter: 0,
            max_jitter: per_conversation.min(4),
            rare_every,
            plan,
        }
    }

    /// Whether every conversation has been made.
    pub fn done(&self) -> bool {
        self.next >= self.plan.conversations
    }

    /// The next (up to) `n` conversations.
    pub fn chunk(&mut self, n: u64) -> Chunk {
        let mut c = Chunk::default();
        let end = (self.next + n).min(self.plan.conversations);
        while self.next < end {
            self.conversation(&mut c);
            self.next += 1;
        }
        c
    }

    /// How many messages conversation `i` gets: its even share of the
    /// total, plus this conversation's jitter, minus the previous one's.
    /// The jitters telescope, so the sum is exactly the requested total,
    /// and each count stays at least 1 (the jitter is below the share).
    fn message_count(&mut self, i: u64) -> u64 {
        let (m, c) = (self.plan.messages as u128, self.plan.conversations as u128);
        let share = ((m * (i as u128 + 1)) / c - (m * i as u128) / c) as u64;
        let jitter = if i + 1 == self.plan.conversations { 0 } else { self.rng.below(self.max_jitter) };
        let count = share + jitter - self.jitter;
        self.jitter = jitter;
        count
    }

    fn conversation(&mut self, out: &mut Chunk) {
        let i = self.next;
        let count = self.message_count(i);
        let plan = &self.plan;
        let rng = &mut self.rng;
        let id = plan.first_conversation_id + i as i64;
        let span = HISTORY_DAYS * DAY_MS;
        let slot = span / plan.conversations.max(1) as i64;
        let created_at = plan.now - span + i as i64 * slot + rng.below(slot.max(1) as u64) as i64;
        // How far through the history this conversation came in, 0 to 1.
        let age = i as f64 / plan.conversations as f64;

        let (inbox_id, channels) = &plan.inboxes[rng.weighted(INBOX_SHARE)];
        let kind = rng.weighted(KINDS);
        let channel_id = channels.iter().find(|(k, _)| *k == kind).map_or(channels[0].1, |(_, id)| *id);
        // A fifth of the conversations come from a small set of regulars.
        let contact_index =
            if rng.chance(200) { rng.below((plan.contacts / 50).max(1)) } else { rng.below(plan.contacts) };
        let contact_id = plan.first_contact_id + contact_index as i64;
        let customer = text::FIRST_NAMES[(contact_index % text::FIRST_NAMES.len() as u64) as usize];

        let spam = rng.chance(5);
        let active = rng.chance(if age > 0.95 { 700 } else { 150 });
        let status = match (spam, active) {
            (true, _) => {
                if age > 0.95 {
                    Status::New
                } else {
                    Status::Closed
                }
            }
            (false, true) => rng.weighted(&[(30, Status::New), (45, Status::Open), (25, Status::Pending)]),
            (false, false) => rng.weighted(&[(5, Status::Snoozed), (40, Status::Resolved), (55, Status::Closed)]),
        };
        let assigned = rng.chance(if status == Status::New { 400 } else { 900 });
        let assignee = assigned.then(|| plan.users[rng.below(plan.users.len() as u64) as usize].clone());
        let priority = rng.weighted(&[
            (600, Priority::None),
            (150, Priority::Low),
            (120, Priority::Medium),
            (90, Priority::High),
            (40, Priority::Urgent),
        ]);

        let thread = Thread::new(rng, customer);
        let subject = text::subject(rng, &thread);
        // Replies come from the assignee, or from whoever picked it up.
        let agent = assignee.clone().unwrap_or_else(|| plan.users[rng.below(plan.users.len() as u64) as usize].clone());

        let mut at = created_at;
        let mut last_body = String::new();
        let (mut first_response, mut last_in, mut last_out) = (None, None, None);
        let mut last_customer_facing = Direction::Inbound;
        for j in 0..count {
            if j > 0 {
                // Most answers within hours, some after days.
                let gap = rng.weighted(&[(70, 6 * 3_600_000), (25, 3 * DAY_MS), (5, 14 * DAY_MS)]);
                at = (at + 120_000 + rng.below(gap as u64) as i64).min(plan.now);
            }
            let direction = if j == 0 || status == Status::New {
                Direction::Inbound
            } else if rng.chance(100) {
                Direction::Note
            } else if last_customer_facing == Direction::Inbound {
                Direction::Outbound
            } else {
                Direction::Inbound
            };
            let mut body = match direction {
                Direction::Inbound => text::customer_message(rng, &thread),
                Direction::Outbound => text::agent_reply(rng, &thread, &agent.1),
                Direction::Note => text::note(rng, &thread, &agent.1),
            };
            if self.messages % self.rare_every == self.rare_every / 2 {
                body.push(' ');
                body.push_str(&text::rare_sentence());
            }
            match direction {
                Direction::Inbound => last_in = Some(at),
                Direction::Outbound => {
                    first_response = first_response.or(Some(at));
                    last_out = Some(at);
                }
                Direction::Note => {}
            }
            if direction != Direction::Note {
                last_customer_facing = direction;
            }
            // Email repeats the subject on each message; other channels have none.
            let msg_subject = match (kind, j) {
                (ChannelKind::Email, 0) => subject.clone(),
                (ChannelKind::Email, _) if direction != Direction::Note => format!("Re: {subject}"),
                _ => String::new(),
            };
            let delivery_status = (direction == Direction::Outbound).then_some(if kind == ChannelKind::Email {
                DeliveryStatus::Sent
            } else {
                DeliveryStatus::Delivered
            });
            last_body.clone_from(&body);
            out.messages.push(MsgRow {
                id: plan.first_message_id + self.messages as i64,
                conversation_id: id,
                direction,
                channel_kind: if direction == Direction::Note { ChannelKind::Note } else { kind },
                sender_user_id: (direction != Direction::Inbound).then_some(agent.0),
                sender_contact_id: (direction == Direction::Inbound).then_some(contact_id),
                subject: msg_subject,
                body,
                delivery_status,
                created_at: at,
            });
            self.messages += 1;
        }

        let unread = match status {
            Status::New => true,
            Status::Open | Status::Pending => rng.chance(500),
            Status::Snoozed => rng.chance(100),
            Status::Resolved | Status::Closed => rng.chance(30),
        };
        let labels = if rng.chance(100) {
            2
        } else if rng.chance(350) {
            1
        } else {
            0
        };
        let mut first_label = None;
        for _ in 0..labels {
            let l = rng.weighted(LABELS);
            if first_label != Some(l) {
                out.labels.push((id, l));
                first_label = Some(l);
            }
        }
        let done = matches!(status, Status::Resolved | Status::Closed);
        out.conversations.push(ConvRow {
            id,
            inbox_id: *inbox_id,
            channel_id,
            contact_id,
            subject,
            preview: preview_of(&last_body),
            status,
            priority,
            assignee_id: assignee.map(|a| a.0),
            spam,
            unread,
            snoozed_until: (status == Status::Snoozed)
                .then(|| plan.now + DAY_MS + rng.below(13 * DAY_MS as u64) as i64),
            message_count: count as i64,
            created_at,
            last_activity_at: at,
            first_response_at: first_response,
            last_inbound_at: last_in,
            last_outbound_at: last_out,
            resolved_at: done.then_some(at),
            closed_at: (status == Status::Closed).then_some(at),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(conversations: u64, messages: u64) -> Plan {
        let channels = KINDS.iter().enumerate().map(|(i, (_, k))| (*k, i as i64 + 1)).collect::<Vec<_>>();
        Plan {
            workspace_id: 1,
            conversations,
            messages,
            contacts: (conversations / 4).max(1),
            first_conversation_id: 1,
            first_message_id: 1,
            first_contact_id: 1,
            users: vec![(1, "Alex".into()), (2, "Sam".into())],
            inboxes: (0..5).map(|i| (i + 1, channels.clone())).collect(),
            now: 1_800_000_000_000,
        }
    }

    #[test]
    fn makes_exactly_the_messages_asked_for_and_keeps_counts_consistent() {
        for (c, m) in [(1000, 5000), (999, 5003), (10, 10), (7, 100)] {
            let mut g = Generator::new(plan(c, m), 3);
            let (mut convs, mut msgs) = (vec![], vec![]);
            while !g.done() {
                let chunk = g.chunk(64);
                convs.extend(chunk.conversations);
                msgs.extend(chunk.messages);
            }
            assert_eq!((convs.len() as u64, msgs.len() as u64), (c, m));
            for conv in &convs {
                let mine: Vec<&MsgRow> = msgs.iter().filter(|x| x.conversation_id == conv.id).collect();
                assert_eq!(conv.message_count as usize, mine.len());
                assert!(!mine.is_empty());
                let last = mine.iter().max_by_key(|x| (x.created_at, x.id)).map(|x| x.created_at);
                assert_eq!(Some(conv.last_activity_at), last);
                assert_eq!(conv.preview, preview_of(&mine[mine.len() - 1].body));
            }
        }
    }

    #[test]
    fn the_rare_word_is_in_exactly_its_count_of_messages() {
        let mut g = Generator::new(plan(2000, 10_000), 5);
        let chunk = g.chunk(2000);
        let n = chunk.messages.iter().filter(|m| m.body.contains(text::RARE_WORD)).count();
        assert_eq!(n as u64, text::RARE_COUNT);
    }
}
