//! The words of the generated workspace: subjects, customer messages,
//! agent replies and notes, filled in from templates so that word
//! frequencies look like a support inbox's. The search measurements rely on
//! three kinds of words, whose frequencies are set here:
//! - a common word, [`COMMON_WORD`], in a large share of the messages;
//! - a rare word, [`RARE_WORD`], in exactly [`RARE_COUNT`] messages at any size;
//! - a phrase, [`PHRASE`], whose two words also occur apart (so the phrase
//!   query has to check positions, not just intersect two word lists).

/// In roughly two messages out of five (the bench prints the exact count).
pub const COMMON_WORD: &str = "order";
/// In exactly [`RARE_COUNT`] messages.
pub const RARE_WORD: &str = "zeppelin";
/// How many messages carry [`RARE_WORD`].
pub const RARE_COUNT: u64 = 5;
/// In roughly one message in ten, as a phrase.
pub const PHRASE: &str = "tracking number";
/// Two words that occur together only sometimes (an AND of two lists).
pub const TWO_WORDS: &str = "refund damaged";

/// SplitMix64: small, fast and seedable, so the same seed makes the same
/// workspace (the server's `rand` is not needed for this).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (the modulo bias is far below what matters here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `per_mille` / 1000.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// Picks a value by weight.
    pub fn weighted<T: Copy>(&mut self, items: &[(u64, T)]) -> T {
        let total: u64 = items.iter().map(|(w, _)| w).sum();
        let mut at = self.below(total);
        for (w, v) in items {
            if at < *w {
                return *v;
            }
            at -= w;
        }
        items[items.len() - 1].1
    }
}

/// What stays the same across one conversation's messages.
pub struct Thread {
    /// The customer's first name (greetings and sign-offs).
    pub customer: &'static str,
    pub order: u32,
    pub product: &'static str,
    pub city: &'static str,
}

impl Thread {
    pub fn new(rng: &mut Rng, customer: &'static str) -> Self {
        Self {
            customer,
            order: 100_000 + rng.below(900_000) as u32,
            product: rng.pick(PRODUCTS),
            city: rng.pick(CITIES),
        }
    }
}

/// A conversation subject.
pub fn subject(rng: &mut Rng, t: &Thread) -> String {
    let template = rng.pick(SUBJECTS);
    fill(rng, t, "", template)
}

/// A customer's message: a greeting, one to three sentences, a sign-off.
pub fn customer_message(rng: &mut Rng, t: &Thread) -> String {
    let mut s = String::with_capacity(256);
    s.push_str(rng.pick(GREETINGS));
    s.push('\n');
    let n = 1 + rng.below(3);
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        let template = rng.pick(CUSTOMER);
        s.push_str(&fill(rng, t, "", template));
    }
    s.push_str("\n\n");
    s.push_str(rng.pick(SIGN_OFFS));
    s.push(' ');
    s.push_str(t.customer);
    s
}

/// An agent's reply, signed by `agent`.
pub fn agent_reply(rng: &mut Rng, t: &Thread, agent: &str) -> String {
    let mut s = String::with_capacity(256);
    s.push_str("Hi ");
    s.push_str(t.customer);
    s.push_str(",\n");
    let n = 1 + rng.below(2);
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        let template = rng.pick(AGENT);
        s.push_str(&fill(rng, t, agent, template));
    }
    s.push_str("\n\nBest,\n");
    s.push_str(agent);
    s
}

/// An internal note.
pub fn note(rng: &mut Rng, t: &Thread, agent: &str) -> String {
    let template = rng.pick(NOTES);
    fill(rng, t, agent, template)
}

/// The sentence that carries [`RARE_WORD`].
pub fn rare_sentence() -> String {
    format!("P.S. The parcel was wrapped like a {RARE_WORD}, which made the whole office laugh.")
}

/// Replaces `{order}`, `{product}`, `{city}`, `{agent}`, `{day}`, `{code}`,
/// `{amount}`, `{color}` and `{phone}` in `template`.
fn fill(rng: &mut Rng, t: &Thread, agent: &str, template: &str) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else { break };
        let key = &rest[open + 1..open + close];
        match key {
            "order" => out.push_str(&t.order.to_string()),
            "product" => out.push_str(t.product),
            "city" => out.push_str(t.city),
            "agent" => out.push_str(agent),
            "day" => out.push_str(rng.pick(DAYS)),
            "color" => out.push_str(rng.pick(COLORS)),
            // A carrier code: a token that is unique, as real ones are.
            "code" => out.push_str(&format!("1Z{:010X}", rng.next_u64() & 0xFF_FFFF_FFFF)),
            "amount" => out.push_str(&format!("{}.{:02}", 5 + rng.below(400), rng.below(100))),
            "phone" => out.push_str(&format!("+1 555 {:03} {:04}", rng.below(1000), rng.below(10_000))),
            other => out.push_str(other),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

const SUBJECTS: &[&str] = &[
    "Where is my order #{order}?",
    "Refund for {product}",
    "Damaged {product} on arrival",
    "Question about the {product}",
    "Change of delivery address",
    "Invoice for order #{order}",
    "Can't log in to my account",
    "Discount code not working",
    "Wrong size sent",
    "Cancel my subscription",
    "Exchange request",
    "Missing item in my order",
    "Payment declined",
    "Bulk order enquiry",
    "Warranty claim for the {product}",
    "Feedback on the {product}",
    "Delivery to {city}",
    "Gift wrapping options",
    "Return label request",
    "Price match request",
    "Order #{order} arrived late",
    "Do you ship to {city}?",
    "Problem with checkout",
    "Is the {product} back in stock?",
];

const GREETINGS: &[&str] = &["Hi,", "Hello,", "Hi there,", "Hello team,", "Good morning,", "Dear support,", "Hey,"];

const SIGN_OFFS: &[&str] = &["Thanks,", "Thank you,", "Kind regards,", "Cheers,", "Best,", "Many thanks,"];

/// About a third of these name an order, so with one to three per message
/// the common word lands in a large share of customer messages.
const CUSTOMER: &[&str] = &[
    "I placed an order on {day} and it still has not arrived.",
    "Could you send me the tracking number for order {order}?",
    "The {product} arrived damaged and I would like a refund.",
    "I was charged twice for order {order}.",
    "Can I change the delivery address to {city}?",
    "The tracking page has not updated since {day}.",
    "My phone number changed to {phone}, please update my account.",
    "I received the wrong color, I asked for {color}.",
    "Is it possible to exchange the {product} for a bigger size?",
    "The discount code did not work at checkout.",
    "Please cancel order {order} before it ships.",
    "The invoice number is missing from my receipt.",
    "I would like to return the {product}, how do I get a label?",
    "Do you offer gift wrapping for the {product}?",
    "The package was left at the wrong door in {city}.",
    "My order came without the charger.",
    "The box was damaged but the {product} seems fine.",
    "I paid {amount} but the confirmation shows a different total.",
    "When will the {product} in {color} be back in stock?",
    "I never got a confirmation email for my order.",
    "Your courier says the tracking number is not valid.",
    "Can you split my order into two deliveries?",
    "The refund for order {order} has not reached my card yet.",
    "I love the {product}, but one of the screws is missing.",
    "The website logged me out during payment on {day}.",
    "Could you tell me what your warranty covers?",
];

const AGENT: &[&str] = &[
    "Thanks for reaching out about order {order}.",
    "Your tracking number is {code}, it should update within a day.",
    "I have issued a refund of {amount} to your original payment method.",
    "Sorry the {product} arrived damaged, a replacement ships on {day}.",
    "I have updated the delivery address to {city}.",
    "The courier expects to deliver on {day}.",
    "I have cancelled the order and you will not be charged.",
    "You can print a return label from your account page.",
    "The {product} in {color} is expected back in stock next month.",
    "I have applied the discount to your order manually.",
    "Could you send a photo of the damaged box so we can file a claim?",
    "Your invoice is attached to this email.",
    "I have resent the confirmation email, please check your spam folder.",
    "Refunds usually take three to five business days to appear.",
    "I have asked the warehouse to check the missing part.",
    "Let me know if there is anything else I can help with.",
];

const NOTES: &[&str] = &[
    "Checked with the warehouse: order {order} left on {day}.",
    "Customer called, wants a refund rather than a replacement.",
    "Courier claim opened for the damaged {product}.",
    "Second time this month, escalating to {agent}'s team lead.",
    "Refund approved, waiting for finance.",
    "Tracking shows the parcel stuck in {city}.",
    "VIP customer, please answer within the hour.",
];

/// Customers' first names; surnames below. 60 x 60 combinations.
pub const FIRST_NAMES: &[&str] = &[
    "Ada", "Ben", "Chloe", "Dana", "Elias", "Fatima", "Gustav", "Hana", "Ivan", "Julia", "Kofi", "Lena", "Mateo",
    "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zoe", "Amir",
    "Bianca", "Carlos", "Dmitri", "Emma", "Felix", "Grace", "Hugo", "Ines", "Jonas", "Keiko", "Liam", "Maya", "Nikos",
    "Olga", "Pablo", "Rina", "Sofia", "Theo", "Uma", "Victor", "Willa", "Yara", "Zain", "Aiko", "Bruno", "Clara",
    "Diego", "Elif", "Farid", "Greta", "Hiro", "Isla", "Jamal",
];

pub const LAST_NAMES: &[&str] = &[
    "Andersen",
    "Baker",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ibrahim",
    "Jensen",
    "Kim",
    "Lopez",
    "Müller",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quintero",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Wagner",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Alvarez",
    "Becker",
    "Chen",
    "Diaz",
    "Evans",
    "Ferreira",
    "Gomez",
    "Horvat",
    "Ivanova",
    "Jovanovic",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nowak",
    "Olsen",
    "Patel",
    "Reyes",
    "Santos",
    "Torres",
    "Ueda",
    "Vasquez",
    "Weber",
    "Young",
    "Zimmermann",
    "Abbott",
    "Brennan",
    "Carter",
    "Doyle",
    "Ellis",
    "Fontaine",
    "Gallo",
    "Hughes",
    "Iqbal",
    "Jordan",
];

const PRODUCTS: &[&str] = &[
    "walnut desk lamp",
    "merino wool scarf",
    "ceramic pour-over set",
    "standing desk",
    "noise-cancelling headphones",
    "cast iron skillet",
    "linen bed sheets",
    "espresso grinder",
    "trail running shoes",
    "bamboo cutting board",
    "wireless charger",
    "leather backpack",
    "yoga mat",
    "smart thermostat",
    "glass water bottle",
    "office chair",
    "mechanical keyboard",
    "rain jacket",
    "kids' bicycle",
    "stoneware mug set",
    "air purifier",
    "camping stove",
    "silk pillowcase",
    "bluetooth speaker",
    "oak bookshelf",
    "electric kettle",
    "hiking poles",
    "wool blanket",
    "phone case",
    "garden hose",
];

const CITIES: &[&str] = &[
    "Berlin",
    "Lisbon",
    "Oslo",
    "Nairobi",
    "Toronto",
    "Osaka",
    "Lyon",
    "Porto",
    "Gdansk",
    "Austin",
    "Denver",
    "Melbourne",
    "Auckland",
    "Bogota",
    "Lagos",
    "Seoul",
    "Vienna",
    "Dublin",
    "Krakow",
    "Valencia",
    "Accra",
    "Quito",
    "Tallinn",
    "Utrecht",
    "Zagreb",
    "Hamburg",
    "Leeds",
    "Bergen",
    "Turin",
    "Seville",
];

const COLORS: &[&str] = &["black", "white", "navy", "olive", "sand", "charcoal", "red", "sage", "rust", "teal"];

const DAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_every_placeholder() {
        let mut rng = Rng::new(1);
        let t = Thread::new(&mut rng, "Ada");
        for _ in 0..500 {
            for s in [subject(&mut rng, &t), customer_message(&mut rng, &t), agent_reply(&mut rng, &t, "Ben")] {
                assert!(!s.contains('{') && !s.contains('}'), "{s}");
            }
        }
    }

    #[test]
    fn the_same_seed_makes_the_same_text() {
        let make = || {
            let mut rng = Rng::new(7);
            let t = Thread::new(&mut rng, "Ada");
            customer_message(&mut rng, &t)
        };
        assert_eq!(make(), make());
    }
}
