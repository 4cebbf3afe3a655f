//! Full-text search: what staff type into the search box, parsed into words
//! and phrases and turned into an FTS5 MATCH expression that user input can
//! never turn into FTS syntax. The SQL (SQLite FTS5) is in `server.rs`.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::ids::MessageId;

#[cfg(feature = "ssr")]
pub mod server;

/// Longest search, in characters, after trimming.
pub const MAX_CHARS: usize = 200;

/// Most words and phrases in one search. Each one is another doclist SQLite
/// must intersect, and twenty already narrows anything real.
pub const MAX_TERMS: usize = 20;

/// The most matches of each kind — messages, conversation subjects,
/// contacts — a search reads, taken in FTS5's index order (rowid order,
/// which is arrival order): newest first, or oldest first for the
/// oldest-first sort. Up to this many every match counts and the list
/// sorts them exactly; past it, only the newest (or oldest) this many.
///
/// Why a bound: FTS5 streams a term's rowids fast (100,000 in 20 ms on the
/// bench's 5M messages), but every other step costs per match — finding a
/// message's conversation, or asking FTS5 about one conversation at a time
/// while the list walks its index (about 0.1 ms a question: a count of
/// 1,000 results of a common word took 0.35 s). A bound keeps a search of
/// any word within the target; the list says when it applied. With
/// 10,000, a common word's page took 0.2 s (the set is read twice: for the
/// rows and for the count); 2,000 newest messages are still more
/// conversations than anyone scrolls through.
pub const CANDIDATES: i64 = 2_000;

/// What a search stopped at its deadline answers (see
/// `server::with_deadline`): the fix is a narrower search, not a retry.
pub const TOO_LONG: &str = "Search took too long: add words or filters to narrow it";

/// A parsed search: every term must match (AND).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    pub terms: Vec<Term>,
}

/// One thing that must match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Term {
    /// A whole word, anywhere in the text.
    Word(String),
    /// Words in this order, next to each other (typed in quotes).
    Phrase(Vec<String>),
}

/// Why a conversation on a results page matched, for the list to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hit {
    /// The message to open: the newest whose body matches, else the
    /// newest whose subject and body match together; `None` when only the
    /// conversation's subject or its contact matched.
    pub message_id: Option<MessageId>,
    /// About a dozen words around the match, each matching word wrapped in
    /// `[[` and `]]` (the list turns those into `<mark>`).
    pub snippet: String,
}

/// The error for a search that ran out of time.
pub fn too_long() -> AppError {
    AppError::BadRequest { message: TOO_LONG.into() }
}

/// Parses the search box. Words are split where SQLite's `unicode61`
/// tokenizer splits them: everything but letters, digits and private-use
/// characters separates words, so `ada@shop.test` is the three words `ada`,
/// `shop` and `test`, and `*`, `-`, `:` or `^` are never operators. Text in
/// double quotes (straight or curly) is a phrase; an unclosed quote runs to
/// the end. Case and accents are left as typed: the index folds both.
///
/// Every word is matched whole, never as a prefix (`refu` does not find
/// "refund"): FTS5 answers a prefix by merging the postings of every word
/// that starts with it, in one step the deadline cannot interrupt, each
/// time it is evaluated; the best-match query evaluates it per message on
/// the page, and a short prefix took minutes for one page on a test inbox
/// of five million messages. Whole words stay fast and predictable.
pub fn parse(input: &str) -> Result<SearchQuery, AppError> {
    let input = input.trim();
    if input.chars().count() > MAX_CHARS {
        return Err(AppError::invalid("q", format!("must be at most {MAX_CHARS} characters")));
    }
    let mut terms = Vec::new();
    let mut phrase: Option<Vec<String>> = None;
    let mut word = String::new();
    for ch in input.chars() {
        if is_token_char(ch) {
            word.push(ch);
            continue;
        }
        if !word.is_empty() {
            let w = std::mem::take(&mut word);
            match phrase.as_mut() {
                Some(p) => p.push(w),
                None => terms.push(Term::Word(w)),
            }
        }
        if is_quote(ch) {
            // A quote closes the open phrase or opens a new one; `""` and
            // quotes around punctuation only add nothing.
            match phrase.take() {
                Some(p) if !p.is_empty() => terms.push(Term::Phrase(p)),
                Some(_) => {}
                None => phrase = Some(Vec::new()),
            }
        }
    }
    if !word.is_empty() {
        match phrase.as_mut() {
            Some(p) => p.push(word),
            None => terms.push(Term::Word(word)),
        }
    }
    if let Some(p) = phrase.filter(|p| !p.is_empty()) {
        terms.push(Term::Phrase(p));
    }
    if terms.is_empty() {
        return Err(AppError::invalid("q", "type a word to search for"));
    }
    if terms.len() > MAX_TERMS {
        return Err(AppError::invalid("q", format!("must have at most {MAX_TERMS} words or phrases")));
    }
    Ok(SearchQuery { terms })
}

impl SearchQuery {
    /// The FTS5 MATCH expression: every term as a double-quoted string (an
    /// FTS5 string is always plain text, and any `"` inside is doubled), all
    /// joined with `AND`. `AND`, `NEAR`, `*` or `col:` typed by the user are
    /// therefore words or nothing, never syntax.
    pub fn to_fts(&self) -> String {
        let parts: Vec<String> = self
            .terms
            .iter()
            .map(|t| match t {
                Term::Word(w) => quote(w),
                Term::Phrase(ws) => quote(&ws.join(" ")),
            })
            .collect();
        parts.join(" AND ")
    }
}

/// An FTS5 string literal.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// What `unicode61` keeps in a token: its default categories are letters,
/// numbers and private-use characters (`L* N* Co`); everything else,
/// including combining marks, separates tokens.
fn is_token_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{FFFFD}' | '\u{100000}'..='\u{10FFFD}')
}

/// Straight and curly double quotes: phones and word processors type the
/// curly ones.
fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{201D}' | '\u{201E}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Term {
        Term::Word(s.into())
    }

    fn p(ws: &[&str]) -> Term {
        Term::Phrase(ws.iter().map(|s| s.to_string()).collect())
    }

    fn terms(input: &str) -> Vec<Term> {
        parse(input).unwrap().terms
    }

    fn field_of(input: &str) -> String {
        parse(input).unwrap_err().field().unwrap_or_default().to_string()
    }

    #[test]
    fn words_split_on_whitespace_and_punctuation() {
        assert_eq!(terms("  refund   parcel "), vec![w("refund"), w("parcel")]);
        assert_eq!(terms("ada@shop.test"), vec![w("ada"), w("shop"), w("test")]);
        assert_eq!(terms("order #1234, please!"), vec![w("order"), w("1234"), w("please")]);
        assert_eq!(terms("don't"), vec![w("don"), w("t")]);
        assert_eq!(terms("+15551234567"), vec![w("15551234567")]);
    }

    #[test]
    fn accents_and_case_are_kept_for_the_index_to_fold() {
        assert_eq!(terms("Résumé café"), vec![w("Résumé"), w("café")]);
        assert_eq!(terms("Где мой заказ"), vec![w("Где"), w("мой"), w("заказ")]);
        // A decomposed accent is a combining mark, which unicode61 treats
        // as a separator; so do we, so both sides split the same way.
        assert_eq!(terms("e\u{301}te\u{301}"), vec![w("e"), w("te")]);
    }

    #[test]
    fn quotes_make_phrases() {
        assert_eq!(terms(r#"late "parcel not here" now"#), vec![w("late"), p(&["parcel", "not", "here"]), w("now")]);
        assert_eq!(terms(r#""one""#), vec![p(&["one"])]);
        assert_eq!(terms("\u{201C}curly quotes\u{201D} too"), vec![p(&["curly", "quotes"]), w("too")]);
        // Punctuation inside a phrase separates its words, as in the index.
        assert_eq!(terms(r#""ada@shop.test""#), vec![p(&["ada", "shop", "test"])]);
        // A quote in the middle of a word ends the word.
        assert_eq!(terms(r#"ab"cd ef"#), vec![w("ab"), p(&["cd", "ef"])]);
    }

    #[test]
    fn an_unclosed_quote_runs_to_the_end() {
        assert_eq!(terms(r#"refund "late parcel"#), vec![w("refund"), p(&["late", "parcel"])]);
        assert_eq!(terms(r#"refund ""#), vec![w("refund")]);
    }

    #[test]
    fn empty_phrases_add_nothing() {
        assert_eq!(terms(r#"a "" b "!!" c"#), vec![w("a"), w("b"), w("c")]);
    }

    #[test]
    fn nothing_to_search_for_is_invalid() {
        for input in ["", "   ", "!!!", r#""""#, r#"" ""#, "* - : ^ ( )", "\u{301}"] {
            assert_eq!(field_of(input), "q", "{input:?}");
        }
    }

    #[test]
    fn limits_on_length_and_terms() {
        let at_limit = "a".repeat(MAX_CHARS);
        assert!(parse(&at_limit).is_ok());
        assert_eq!(field_of(&"a".repeat(MAX_CHARS + 1)), "q");
        // Characters, not bytes: 200 accented letters are fine.
        assert!(parse(&"é".repeat(MAX_CHARS)).is_ok());
        // Surrounding whitespace does not count.
        assert!(parse(&format!("  {at_limit}  ")).is_ok());

        let twenty: Vec<String> = (0..MAX_TERMS).map(|i| format!("w{i}")).collect();
        assert_eq!(terms(&twenty.join(" ")).len(), MAX_TERMS);
        assert_eq!(field_of(&format!("{} more", twenty.join(" "))), "q");
        // A phrase is one term however many words it has.
        assert_eq!(terms(&format!("\"{}\"", twenty.join(" "))).len(), 1);
    }

    #[test]
    fn fts_expression_quotes_every_term() {
        let q = parse(r#"refund "late parcel" Café"#).unwrap();
        assert_eq!(q.to_fts(), r#""refund" AND "late parcel" AND "Café""#);
    }

    #[test]
    fn fts_operators_typed_by_users_are_plain_words() {
        let q = parse("refund AND NOT parcel OR NEAR(a b) body:late x* -y ^z").unwrap();
        assert_eq!(
            q.to_fts(),
            r#""refund" AND "AND" AND "NOT" AND "parcel" AND "OR" AND "NEAR" AND "a" AND "b" AND "body" AND "late" AND "x" AND "y" AND "z""#
        );
        // Quotes cannot break out of a string.
        let q = parse(r#"a" OR "b"#).unwrap();
        assert_eq!(q.to_fts(), r#""a" AND "OR" AND "b""#);
        let q = parse("\"\"\"\" OR 1=1 --").unwrap();
        assert_eq!(q.to_fts(), r#""OR" AND "1" AND "1""#);
        // An odd count leaves a phrase open to the end.
        let q = parse(r#"x """ OR 1=1 --"#).unwrap();
        assert_eq!(q.to_fts(), r#""x" AND "OR 1 1""#);
    }

    #[test]
    fn a_quote_inside_a_term_is_doubled() {
        // The parser never keeps a quote in a word, but a query built by
        // hand still cannot escape its string.
        let q = SearchQuery { terms: vec![w(r#"a"b"#), p(&[r#"c""#, "d"])] };
        assert_eq!(q.to_fts(), r#""a""b" AND "c"" d""#);
    }

    #[test]
    fn hits_cross_the_wire_in_camel_case() {
        let h = Hit { message_id: Some(MessageId(7)), snippet: "a [[b]] c".into() };
        let v = serde_json::to_value(&h).unwrap();
        assert_eq!(v, serde_json::json!({"messageId": 7, "snippet": "a [[b]] c"}));
        assert_eq!(serde_json::from_value::<Hit>(v).unwrap(), h);
    }
}
