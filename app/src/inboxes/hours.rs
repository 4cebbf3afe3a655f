//! Working-hours arithmetic: is the team in, when does it open next, and
//! "N minutes of working time after X". Pure functions over an inbox's
//! schedule in its IANA time zone. Server only: jiff carries its own copy of
//! the tz database (`tzdb-bundle-always`), so DST rules do not depend on the
//! host having `/usr/share/zoneinfo`, and the browser bundle carries none.
//!
//! Each day's hours are local wall-clock times turned into instants for that
//! date, so a day shortened by a DST change has fewer open minutes (and a
//! lengthened one more). A local time that does not exist or exists twice
//! resolves jiff's "compatible" way (the same as RFC 5545 and `java.time`):
//! in a gap (02:30 on a spring-forward night in New York) it moves forward by
//! the gap's length (03:30 daylight time); in a fold (01:30 on the fall-back
//! night) it takes the earlier instant (01:30 daylight time).

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;

use crate::inboxes::model::WorkingHours;
use crate::time::Timestamp;

/// How many closed days in a row end a search for the next opening.
const SEARCH_DAYS: u32 = 400;

const MS_PER_MINUTE: i64 = 60_000;

const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// Whether jiff's bundled tz database knows this IANA zone name.
pub fn valid_timezone(name: &str) -> bool {
    TimeZone::get(name).is_ok()
}

/// Whether the team is in at `at`. Without working hours, always.
pub fn is_open(wh: &WorkingHours, at: Timestamp) -> bool {
    next_open(wh, at) == Some(at)
}

/// `at` itself if open, else the start of the next open interval; `None`
/// when the schedule opens on no day (or stays closed for 400 days on end).
/// Without working hours, `at`.
pub fn next_open(wh: &WorkingHours, at: Timestamp) -> Option<Timestamp> {
    if !wh.enabled {
        return Some(at);
    }
    let plan = Plan::new(wh);
    if !plan.opens_ever() {
        return None;
    }
    let first = plan.intervals_from(at).find(|&(_, e)| e > at.0);
    first.map(|(s, _)| Timestamp(s.max(at.0)))
}

/// The instant at which `minutes` of open time have passed since `from`,
/// counting only open intervals (from the next opening if `from` is closed;
/// so zero or negative minutes give [`next_open`]). Without working hours,
/// or with a schedule that never opens, plain clock minutes.
pub fn add_working_minutes(wh: &WorkingHours, from: Timestamp, minutes: i64) -> Timestamp {
    let plain = Timestamp(from.0.saturating_add(minutes.saturating_mul(MS_PER_MINUTE)));
    if !wh.enabled {
        return plain;
    }
    let plan = Plan::new(wh);
    if !plan.opens_ever() {
        return plain;
    }
    let mut left = minutes.max(0).saturating_mul(MS_PER_MINUTE);
    for (s, e) in plan.intervals_from(from) {
        if e <= from.0 {
            continue;
        }
        let start = s.max(from.0);
        // `<=`: finishing exactly at closing time is the closing instant,
        // not the next opening.
        if left <= e - start {
            return Timestamp(start + left);
        }
        left -= e - start;
    }
    // Only when the search ran dry (a year of holidays, or the end of the
    // calendar): clock minutes are the least surprising answer.
    plain
}

/// Open minutes (whole, rounded down) in `[from, to)`; 0 when `to` is not
/// after `from`. Without working hours, the plain difference in minutes.
pub fn working_minutes_between(wh: &WorkingHours, from: Timestamp, to: Timestamp) -> i64 {
    if to <= from {
        return 0;
    }
    if !wh.enabled {
        return (to.0 - from.0) / MS_PER_MINUTE;
    }
    let plan = Plan::new(wh);
    if !plan.opens_ever() {
        return 0;
    }
    let ms: i64 = plan
        .intervals_from(from)
        .take_while(|&(s, _)| s < to.0)
        .map(|(s, e)| (e.min(to.0) - s.max(from.0)).max(0))
        .sum();
    ms / MS_PER_MINUTE
}

/// The schedule parsed once per call: a long count walks many days.
struct Plan {
    tz: TimeZone,
    /// Opening and closing wall-clock time, indexed Monday = 0.
    days: [Option<(Time, Time)>; 7],
    /// Sorted, for binary search.
    holidays: Vec<Date>,
}

impl Plan {
    fn new(wh: &WorkingHours) -> Self {
        // An unknown (or empty) zone falls back to UTC rather than failing:
        // the zone is validated on save, and the tz database could drop a name.
        let tz = TimeZone::get(&wh.timezone).unwrap_or(TimeZone::UTC);
        let mut days = [None; 7];
        for (i, name) in DAYS.iter().enumerate() {
            let Some(Some(h)) = wh.schedule.get(*name) else { continue };
            // Unparsable or empty hours count as closed; never panic on data.
            days[i] = match (hhmm(&h.start), hhmm(&h.end)) {
                (Some(s), Some(e)) if s < e => Some((s, e)),
                _ => None,
            };
        }
        // Dates that do not exist (2026-02-31) pass the format check on save
        // but can never match, so dropping them is harmless.
        let mut holidays: Vec<Date> = wh.holidays.iter().filter_map(|h| h.trim().parse().ok()).collect();
        holidays.sort_unstable();
        Plan { tz, days, holidays }
    }

    fn opens_ever(&self) -> bool {
        self.days.iter().any(Option::is_some)
    }

    /// The open interval `[start, end)` of a local date, in epoch ms.
    fn interval(&self, date: Date) -> Option<(i64, i64)> {
        if self.holidays.binary_search(&date).is_ok() {
            return None;
        }
        let (start, end) = self.days[date.weekday().to_monday_zero_offset() as usize]?;
        let instant = |t: Time| -> Option<i64> {
            let local = DateTime::from_parts(date, t);
            Some(self.tz.to_ambiguous_timestamp(local).compatible().ok()?.as_millisecond())
        };
        let (s, e) = (instant(start)?, instant(end)?);
        // Both ends in the same DST gap collapse to one instant: closed.
        (s < e).then_some((s, e))
    }

    /// Open intervals in time order, starting with the local day before the
    /// one holding `from`: a closing time inside a DST gap just before
    /// midnight resolves past midnight, into `from`'s day. Ends after
    /// [`SEARCH_DAYS`] closed days in a row or at the end of jiff's calendar.
    fn intervals_from(&self, from: Timestamp) -> impl Iterator<Item = (i64, i64)> + '_ {
        let mut day =
            jiff::Timestamp::from_millisecond(from.0).ok().and_then(|t| self.tz.to_datetime(t).date().yesterday().ok());
        let mut last_end = i64::MIN;
        std::iter::from_fn(move || {
            let mut closed = 0;
            while let Some(d) = day {
                day = d.tomorrow().ok();
                // Clip to the previous interval's end so that such a spilled
                // closing time never counts the same minutes twice.
                if let Some((s, e)) = self.interval(d).map(|(s, e)| (s.max(last_end), e)).filter(|(s, e)| s < e) {
                    last_end = e;
                    return Some((s, e));
                }
                closed += 1;
                if closed >= SEARCH_DAYS {
                    day = None;
                }
            }
            None
        })
    }
}

/// `HH:MM` as a wall-clock time; `None` for anything else.
fn hhmm(s: &str) -> Option<Time> {
    let (h, m) = s.trim().split_once(':')?;
    Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inboxes::model::DayHours;

    /// Expected instants come from the crate's own RFC 3339 parser, not jiff.
    fn t(s: &str) -> Timestamp {
        match Timestamp::parse_rfc3339(s) {
            Some(t) => t,
            None => panic!("bad test time {s}"),
        }
    }

    fn hours(tz: &str, days: &[&str], start: &str, end: &str, holidays: &[&str]) -> WorkingHours {
        WorkingHours {
            enabled: true,
            timezone: tz.into(),
            schedule: days
                .iter()
                .map(|d| (d.to_string(), Some(DayHours { start: start.into(), end: end.into() })))
                .collect(),
            holidays: holidays.iter().map(|h| h.to_string()).collect(),
        }
    }

    const WEEKDAYS: [&str; 5] = ["monday", "tuesday", "wednesday", "thursday", "friday"];

    #[test]
    fn the_open_interval_is_half_open() {
        let w = hours("UTC", &WEEKDAYS, "09:00", "17:00", &[]);
        assert!(!is_open(&w, t("2026-12-08T08:59:59Z")));
        assert!(is_open(&w, t("2026-12-08T09:00:00Z")));
        assert!(is_open(&w, Timestamp(t("2026-12-08T17:00:00Z").0 - 1)));
        assert!(!is_open(&w, t("2026-12-08T17:00:00Z")));
        assert!(!is_open(&w, t("2026-12-12T12:00:00Z")), "Saturday");
        assert_eq!(next_open(&w, t("2026-12-08T10:15:00Z")), Some(t("2026-12-08T10:15:00Z")));
        assert_eq!(next_open(&w, t("2026-12-08T03:00:00Z")), Some(t("2026-12-08T09:00:00Z")));
        assert_eq!(next_open(&w, t("2026-12-08T17:00:00Z")), Some(t("2026-12-09T09:00:00Z")));
    }

    #[test]
    fn new_york_nine_local_is_13z_in_summer_and_14z_in_winter() {
        let w = hours("America/New_York", &WEEKDAYS, "09:00", "17:00", &[]);
        // Tuesday 14 July, EDT (UTC-4).
        assert!(!is_open(&w, t("2026-07-14T12:59:00Z")));
        assert!(is_open(&w, t("2026-07-14T13:00:00Z")));
        assert!(is_open(&w, t("2026-07-14T20:59:00Z")));
        assert!(!is_open(&w, t("2026-07-14T21:00:00Z")));
        // Tuesday 8 December, EST (UTC-5).
        assert!(!is_open(&w, t("2026-12-08T13:59:00Z")));
        assert!(is_open(&w, t("2026-12-08T14:00:00Z")));
        assert!(is_open(&w, t("2026-12-08T21:59:00Z")));
        assert!(!is_open(&w, t("2026-12-08T22:00:00Z")));
    }

    #[test]
    fn new_york_across_the_march_2026_change() {
        // 02:00 EST -> 03:00 EDT on Sunday 8 March: Friday in EST, Monday in EDT.
        let w = hours("America/New_York", &WEEKDAYS, "09:00", "17:00", &[]);
        assert!(!is_open(&w, t("2026-03-06T13:30:00Z")));
        assert!(is_open(&w, t("2026-03-06T14:00:00Z")));
        assert_eq!(next_open(&w, t("2026-03-06T18:30:00-05:00")), Some(t("2026-03-09T13:00:00Z")));
        // Two hours from Friday 16:00 EST: one on Friday, one on Monday (EDT).
        assert_eq!(add_working_minutes(&w, t("2026-03-06T16:00:00-05:00"), 120), t("2026-03-09T14:00:00Z"));
        assert_eq!(working_minutes_between(&w, t("2026-03-06T21:00:00Z"), t("2026-03-09T14:00:00Z")), 120);
    }

    #[test]
    fn new_york_across_the_november_2026_change() {
        // 02:00 EDT -> 01:00 EST on Sunday 1 November: Friday in EDT, Monday in EST.
        let w = hours("America/New_York", &WEEKDAYS, "09:00", "17:00", &[]);
        assert!(is_open(&w, t("2026-10-30T13:00:00Z")));
        assert_eq!(next_open(&w, t("2026-10-30T17:00:00-04:00")), Some(t("2026-11-02T14:00:00Z")));
        assert!(!is_open(&w, t("2026-11-02T13:30:00Z")), "08:30 EST");
        // 30 minutes on Friday from 16:30 EDT, then 60 on Monday from 09:00 EST.
        assert_eq!(add_working_minutes(&w, t("2026-10-30T20:30:00Z"), 90), t("2026-11-02T15:00:00Z"));
    }

    #[test]
    fn missing_and_repeated_local_times_resolve_compatibly() {
        // Sundays 02:30-05:00 in New York. On an ordinary Sunday: 07:30Z-10:00Z.
        let w = hours("America/New_York", &["sunday"], "02:30", "05:00", &[]);
        assert_eq!(next_open(&w, t("2026-03-01T00:00:00-05:00")), Some(t("2026-03-01T07:30:00Z")));
        assert_eq!(working_minutes_between(&w, t("2026-03-01T00:00:00Z"), t("2026-03-02T00:00:00Z")), 150);
        // 8 March has no 02:30: it moves forward by the gap to 03:30 EDT, and
        // the day's hours shrink to 90 minutes.
        assert_eq!(next_open(&w, t("2026-03-08T00:00:00-05:00")), Some(t("2026-03-08T03:30:00-04:00")));
        assert!(!is_open(&w, t("2026-03-08T03:15:00-04:00")));
        assert!(is_open(&w, t("2026-03-08T03:30:00-04:00")));
        assert_eq!(working_minutes_between(&w, t("2026-03-08T00:00:00Z"), t("2026-03-09T00:00:00Z")), 90);

        // Sundays 01:30-03:00: on 1 November 01:30 happens twice; the earlier
        // (EDT) one opens, and the day's hours grow from 90 to 150 minutes.
        let w = hours("America/New_York", &["sunday"], "01:30", "03:00", &[]);
        assert_eq!(working_minutes_between(&w, t("2026-10-25T00:00:00Z"), t("2026-10-26T00:00:00Z")), 90);
        assert_eq!(next_open(&w, t("2026-11-01T00:00:00-04:00")), Some(t("2026-11-01T01:30:00-04:00")));
        assert!(is_open(&w, t("2026-11-01T01:15:00-05:00")), "the second 01:15 is inside");
        assert!(!is_open(&w, t("2026-11-01T03:00:00-05:00")));
        assert_eq!(working_minutes_between(&w, t("2026-11-01T00:00:00Z"), t("2026-11-02T00:00:00Z")), 150);
    }

    #[test]
    fn working_minutes_across_a_dst_night_shift() {
        // A night shift 00:00-06:00 every day in Berlin.
        let w = hours("Europe/Berlin", &DAYS, "00:00", "06:00", &[]);
        // Saturday 28 March has 6 hours; Sunday 29 March (02:00 CET -> 03:00 CEST) only 5.
        assert_eq!(working_minutes_between(&w, t("2026-03-28T00:00:00+01:00"), t("2026-03-30T00:00:00+02:00")), 660);
        // From 01:30 CET to 03:30 CEST is two hours on the wall but one open hour.
        assert_eq!(working_minutes_between(&w, t("2026-03-29T01:30:00+01:00"), t("2026-03-29T03:30:00+02:00")), 60);
        // Sunday 25 October (03:00 CEST -> 02:00 CET) has 7.
        assert_eq!(working_minutes_between(&w, t("2026-10-25T00:00:00+02:00"), t("2026-10-26T00:00:00+01:00")), 420);
        // 300 minutes from Sunday 29 March 00:30 CET: 270 to 06:00 CEST, then 30 on Monday.
        assert_eq!(add_working_minutes(&w, t("2026-03-29T00:30:00+01:00"), 300), t("2026-03-30T00:30:00+02:00"));
    }

    #[test]
    fn a_skipped_day_is_not_counted_twice() {
        // Samoa jumped from Thursday 29 December 2011 (UTC-10) straight to
        // Saturday 31 December (UTC+14). The missing Friday's hours resolve
        // onto Saturday's instants, which must count once.
        let w = hours("Pacific/Apia", &DAYS, "09:00", "17:00", &[]);
        let (from, to) = (t("2011-12-29T00:00:00-10:00"), t("2012-01-01T00:00:00+14:00"));
        assert_eq!(working_minutes_between(&w, from, to), 960);
        assert_eq!(next_open(&w, t("2011-12-29T17:00:00-10:00")), Some(t("2011-12-31T09:00:00+14:00")));
        assert_eq!(add_working_minutes(&w, t("2011-12-29T16:00:00-10:00"), 120), t("2011-12-31T10:00:00+14:00"));
    }

    #[test]
    fn berlin_winter_and_summer_time() {
        let w = hours("Europe/Berlin", &WEEKDAYS, "08:00", "16:00", &[]);
        assert!(is_open(&w, t("2026-03-27T07:00:00Z")), "CET: 08:00 is 07:00Z");
        assert!(!is_open(&w, t("2026-03-27T06:30:00Z")));
        assert!(is_open(&w, t("2026-03-30T06:00:00Z")), "CEST: 08:00 is 06:00Z");
        assert!(!is_open(&w, t("2026-03-30T05:59:00Z")));
        assert_eq!(next_open(&w, t("2026-03-27T15:00:00Z")), Some(t("2026-03-30T06:00:00Z")));
        assert_eq!(next_open(&w, t("2026-10-23T14:00:00Z")), Some(t("2026-10-26T07:00:00Z")));
    }

    #[test]
    fn sydney_southern_hemisphere_dst() {
        let w = hours("Australia/Sydney", &WEEKDAYS, "09:00", "17:00", &[]);
        // Monday 09:00 AEDT (UTC+11) is Sunday 22:00Z; Saturday morning local is Friday in UTC.
        assert!(is_open(&w, t("2026-01-04T22:00:00Z")));
        assert!(!is_open(&w, t("2026-01-09T22:30:00Z")));
        assert!(is_open(&w, t("2026-07-06T23:00:00Z")), "AEST (UTC+10) in July");
        assert!(!is_open(&w, t("2026-07-06T22:30:00Z")));
        // DST ends Sunday 5 April: Friday in AEDT, Monday in AEST.
        assert_eq!(next_open(&w, t("2026-04-03T17:30:00+11:00")), Some(t("2026-04-05T23:00:00Z")));
        // DST starts Sunday 4 October: Friday in AEST, Monday in AEDT.
        assert_eq!(next_open(&w, t("2026-10-02T17:30:00+10:00")), Some(t("2026-10-04T22:00:00Z")));
        assert_eq!(add_working_minutes(&w, t("2026-10-02T16:00:00+10:00"), 120), t("2026-10-05T10:00:00+11:00"));
        assert_eq!(working_minutes_between(&w, t("2026-10-02T06:00:00Z"), t("2026-10-04T23:00:00Z")), 120);
    }

    #[test]
    fn kolkata_half_hour_offset_without_dst() {
        let w = hours("Asia/Kolkata", &WEEKDAYS, "10:00", "18:00", &[]);
        for day in ["2026-01-14", "2026-06-10", "2026-11-04"] {
            assert!(is_open(&w, t(&format!("{day}T04:30:00Z"))), "{day}");
            assert!(!is_open(&w, t(&format!("{day}T04:29:59Z"))), "{day}");
            assert!(is_open(&w, t(&format!("{day}T12:29:00Z"))), "{day}");
            assert!(!is_open(&w, t(&format!("{day}T12:30:00Z"))), "{day}");
        }
        // A whole week around the US and EU changes: 5 x 8 hours.
        assert_eq!(working_minutes_between(&w, t("2026-03-23T00:00:00+05:30"), t("2026-03-30T00:00:00+05:30")), 2400);
    }

    #[test]
    fn a_holiday_closes_a_weekday_in_local_time() {
        // Thanksgiving, Thursday 26 November.
        let w = hours("America/New_York", &WEEKDAYS, "09:00", "17:00", &["2026-11-26"]);
        assert!(is_open(&w, t("2026-11-25T11:00:00-05:00")));
        assert!(!is_open(&w, t("2026-11-26T11:00:00-05:00")));
        assert!(is_open(&w, t("2026-11-27T11:00:00-05:00")));
        assert_eq!(next_open(&w, t("2026-11-25T17:00:00-05:00")), Some(t("2026-11-27T09:00:00-05:00")));
        assert_eq!(working_minutes_between(&w, t("2026-11-25T00:00:00-05:00"), t("2026-11-28T00:00:00-05:00")), 960);
        // The date is the inbox's: in Sydney, Monday 26 January starts on the
        // 25th in UTC, and Tuesday's morning is still the 26th in UTC.
        let w = hours("Australia/Sydney", &WEEKDAYS, "09:00", "17:00", &["2026-01-26"]);
        assert!(!is_open(&w, t("2026-01-25T23:00:00Z")));
        assert!(is_open(&w, t("2026-01-26T23:00:00Z")));
    }

    #[test]
    fn friday_evening_opens_on_monday_morning() {
        for (tz, friday, monday) in [
            ("America/New_York", "2026-12-11T18:00:00-05:00", "2026-12-14T09:00:00-05:00"),
            ("Europe/Berlin", "2026-12-11T18:00:00+01:00", "2026-12-14T09:00:00+01:00"),
            ("Asia/Kolkata", "2026-12-11T18:00:00+05:30", "2026-12-14T09:00:00+05:30"),
            ("Australia/Sydney", "2026-12-11T18:00:00+11:00", "2026-12-14T09:00:00+11:00"),
        ] {
            let w = hours(tz, &WEEKDAYS, "09:00", "17:00", &[]);
            assert_eq!(next_open(&w, t(friday)), Some(t(monday)), "{tz}");
            assert!(!is_open(&w, t(friday)), "{tz}");
        }
    }

    #[test]
    fn add_working_minutes_skips_weekends_and_holidays() {
        let w = hours("Europe/Berlin", &WEEKDAYS, "09:00", "17:00", &["2026-12-24", "2026-12-25"]);
        // Wednesday 23 December 16:00: an hour that day, Thursday and Friday
        // are holidays, then the weekend.
        let from = t("2026-12-23T16:00:00+01:00");
        assert_eq!(add_working_minutes(&w, from, 60), t("2026-12-23T17:00:00+01:00"), "ends at closing");
        assert_eq!(add_working_minutes(&w, from, 61), t("2026-12-28T09:01:00+01:00"));
        assert_eq!(add_working_minutes(&w, from, 120), t("2026-12-28T10:00:00+01:00"));
        assert_eq!(add_working_minutes(&w, from, 600), t("2026-12-29T10:00:00+01:00"));
        assert_eq!(working_minutes_between(&w, from, t("2026-12-29T10:00:00+01:00")), 600);
        // From a closed moment, counting starts at the next opening.
        assert_eq!(add_working_minutes(&w, t("2026-12-26T12:00:00+01:00"), 30), t("2026-12-28T09:30:00+01:00"));
        assert_eq!(add_working_minutes(&w, t("2026-12-26T12:00:00+01:00"), 0), t("2026-12-28T09:00:00+01:00"));
        assert_eq!(add_working_minutes(&w, t("2026-12-28T11:00:00+01:00"), 0), t("2026-12-28T11:00:00+01:00"));
    }

    #[test]
    fn adding_and_counting_agree_across_dst() {
        let w = hours("America/New_York", &WEEKDAYS, "09:00", "17:00", &["2026-03-10"]);
        let mut from = t("2026-03-01T00:00:00Z");
        while from < t("2026-03-15T00:00:00Z") {
            let first = next_open(&w, from).map(|o| (o, is_open(&w, o)));
            assert!(matches!(first, Some((o, true)) if o >= from), "{}", from.to_rfc3339());
            for m in [0, 1, 59, 480, 481, 1000, 5000] {
                let end = add_working_minutes(&w, from, m);
                assert_eq!(working_minutes_between(&w, from, end), m, "{} + {m}", from.to_rfc3339());
                if m > 0 {
                    assert!(is_open(&w, Timestamp(end.0 - 1)), "{} + {m}", from.to_rfc3339());
                }
            }
            from = from.plus_secs(97 * 60);
        }
    }

    #[test]
    fn disabled_hours_are_always_open() {
        let mut w = hours("America/New_York", &[], "09:00", "17:00", &["2026-12-25"]);
        w.enabled = false;
        for w in [w, WorkingHours::default()] {
            let at = t("2026-12-25T03:00:00Z");
            assert!(is_open(&w, at));
            assert_eq!(next_open(&w, at), Some(at));
            assert_eq!(add_working_minutes(&w, at, 90), t("2026-12-25T04:30:00Z"));
            assert_eq!(working_minutes_between(&w, at, t("2026-12-27T04:30:00Z")), 2 * 1440 + 90);
            assert_eq!(working_minutes_between(&w, at, t("2026-12-24T00:00:00Z")), 0);
        }
    }

    #[test]
    fn an_unknown_time_zone_falls_back_to_utc() {
        assert!(valid_timezone("America/New_York"));
        assert!(valid_timezone("Asia/Kolkata"));
        assert!(valid_timezone("UTC"));
        assert!(!valid_timezone("Mars/Olympus"));
        assert!(!valid_timezone("Europe/Berln"));
        assert!(!valid_timezone(""));
        for tz in ["Mars/Olympus", ""] {
            let w = hours(tz, &WEEKDAYS, "09:00", "17:00", &[]);
            assert!(is_open(&w, t("2026-12-08T09:00:00Z")));
            assert!(!is_open(&w, t("2026-12-08T08:59:00Z")));
            assert_eq!(next_open(&w, t("2026-12-11T17:00:00Z")), Some(t("2026-12-14T09:00:00Z")));
        }
    }

    #[test]
    fn a_schedule_that_never_opens() {
        let mut closed = hours("Europe/Berlin", &WEEKDAYS, "09:00", "17:00", &[]);
        closed.schedule.values_mut().for_each(|d| *d = None);
        let unparsable = hours("Europe/Berlin", &["monday"], "09:00", "25:00", &[]);
        for w in [hours("Europe/Berlin", &[], "09:00", "17:00", &[]), closed, unparsable] {
            let at = t("2026-12-08T09:30:00Z");
            assert_eq!(next_open(&w, at), None);
            assert!(!is_open(&w, at));
            assert_eq!(add_working_minutes(&w, at, 10), t("2026-12-08T09:40:00Z"));
            assert_eq!(working_minutes_between(&w, at, t("2026-12-20T00:00:00Z")), 0);
        }
    }
}
