//! Timestamps as milliseconds since the Unix epoch, shown on the wire as
//! RFC 3339 strings in UTC. Hand-rolled (days-from-civil arithmetic) so the
//! browser bundle carries no date crate; the database stores the integer,
//! which sorts and indexes the same way on SQLite and PostgreSQL.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(transparent))]
pub struct Timestamp(pub i64);

const MS_PER_DAY: i64 = 86_400_000;

impl Timestamp {
    /// The current time (system clock on the server, `Date.now()` in the browser).
    pub fn now() -> Self {
        #[cfg(feature = "hydrate")]
        {
            Self(js_sys::Date::now() as i64)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            Self(d.as_millis() as i64)
        }
    }

    /// This instant plus `secs` seconds.
    pub fn plus_secs(self, secs: i64) -> Self {
        Self(self.0 + secs * 1000)
    }

    /// (year, month 1-12, day 1-31) of the UTC date.
    pub fn date(self) -> (i64, u32, u32) {
        civil_from_days(self.0.div_euclid(MS_PER_DAY))
    }

    /// `YYYY-MM-DD` of the UTC date; the thread groups messages by it.
    pub fn date_string(self) -> String {
        let (y, m, d) = self.date();
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// `HH:MM` in UTC.
    pub fn time_string(self) -> String {
        let ms = self.0.rem_euclid(MS_PER_DAY);
        format!("{:02}:{:02}", ms / 3_600_000, (ms / 60_000) % 60)
    }

    /// RFC 3339 with millisecond precision, e.g. `2026-11-22T05:51:26.123Z`.
    pub fn to_rfc3339(self) -> String {
        let ms = self.0.rem_euclid(MS_PER_DAY);
        format!(
            "{}T{:02}:{:02}:{:02}.{:03}Z",
            self.date_string(),
            ms / 3_600_000,
            (ms / 60_000) % 60,
            (ms / 1000) % 60,
            ms % 1000
        )
    }

    /// Parses RFC 3339 (`Z` or a numeric offset, optional fraction).
    pub fn parse_rfc3339(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let t = s.get(r)?;
            t.bytes().all(|c| c.is_ascii_digit()).then(|| t.parse().ok())?
        };
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
            return None;
        }
        let mut i = 19;
        let mut frac_ms = 0;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            i = start;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let digits = s.get(start..i)?;
            if digits.is_empty() {
                return None;
            }
            let padded: String = digits.chars().chain("000".chars()).take(3).collect();
            frac_ms = padded.parse().ok()?;
        }
        let offset_min = match s.get(i..)? {
            "Z" | "z" => 0,
            rest if rest.len() == 6 && (rest.starts_with('+') || rest.starts_with('-')) => {
                let oh: i64 = rest.get(1..3)?.parse().ok()?;
                let om: i64 = rest.get(4..6)?.parse().ok()?;
                let sign = if rest.starts_with('-') { -1 } else { 1 };
                sign * (oh * 60 + om)
            }
            _ => return None,
        };
        let days = days_from_civil(y, mo as u32, d as u32);
        let ms = days * MS_PER_DAY + ((h * 60 + mi - offset_min) * 60 + se) * 1000 + frac_ms;
        Some(Self(ms))
    }

    /// A short age for lists: `now`, `5m`, `3h`, `2d`, or the date.
    pub fn short_age(self, now: Timestamp) -> String {
        let secs = (now.0 - self.0).max(0) / 1000;
        match secs {
            0..=59 => "now".into(),
            60..=3599 => format!("{}m", secs / 60),
            3600..=86_399 => format!("{}h", secs / 3600),
            86_400..=604_799 => format!("{}d", secs / 86_400),
            _ => self.date_string(),
        }
    }
}

// Howard Hinnant's algorithms (public domain), proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse_rfc3339(&s).ok_or_else(|| serde::de::Error::custom(format!("not an RFC 3339 time: {s}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_rfc3339() {
        let t = Timestamp(1_795_327_886_123);
        let s = t.to_rfc3339();
        assert_eq!(s, "2026-11-22T06:11:26.123Z");
        assert_eq!(Timestamp::parse_rfc3339(&s), Some(t));
    }

    #[test]
    fn parses_offsets_and_rejects_garbage() {
        let a = Timestamp::parse_rfc3339("2026-11-22T07:31:26+02:00");
        assert_eq!(a.map(|t| t.to_rfc3339()).as_deref(), Some("2026-11-22T05:31:26.000Z"));
        assert_eq!(Timestamp::parse_rfc3339("2026-13-01T00:00:00Z"), None);
        assert_eq!(Timestamp::parse_rfc3339("yesterday"), None);
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00.000Z");
        assert_eq!(Timestamp::parse_rfc3339("2024-02-29T12:00:00Z").map(|t| t.date()), Some((2024, 2, 29)));
    }
}
