//! Percentiles of timing samples, and the results table.

use std::time::Duration;

/// The samples of one measurement, summarised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Summary {
    /// `None` for no samples.
    pub fn of(samples: &[Duration]) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        let mut s = samples.to_vec();
        s.sort();
        Some(Self {
            n: s.len(),
            p50: percentile(&s, 50.0),
            p95: percentile(&s, 95.0),
            p99: percentile(&s, 99.0),
            max: s[s.len() - 1],
        })
    }
}

/// Nearest rank: the smallest sample that at least `p` percent of the
/// samples do not exceed. With 50 samples p95 is the 48th and p99 the 50th
/// (the max): fewer samples than 100 cannot tell p99 from the worst case.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Milliseconds with two decimals: "0.42", "153.20".
pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// One line of the results table.
#[derive(Debug, Clone)]
pub struct Row {
    pub name: String,
    /// Samples, or why there are none: an error from the measured function
    /// (`Err`), or a measurement that does not apply to this workspace.
    pub result: Result<Summary, String>,
    pub skipped: Option<String>,
    /// The p95 target, if the issue sets one for this measurement.
    pub target: Option<Duration>,
}

impl Row {
    /// "PASS", "FAIL", "ERROR", "SKIP" or "-" (no target).
    pub fn verdict(&self) -> &'static str {
        if self.skipped.is_some() {
            return "SKIP";
        }
        match (&self.result, self.target) {
            (Err(_), _) => "ERROR",
            (Ok(_), None) => "-",
            (Ok(s), Some(t)) if s.p95 <= t => "PASS",
            (Ok(_), Some(_)) => "FAIL",
        }
    }
}

/// The table as Markdown, so it can be pasted into an issue as it is.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| measurement | n | p50 ms | p95 ms | p99 ms | max ms | target (p95) | result |\n|---|---:|---:|---:|---:|---:|---|---|\n",
    );
    for r in rows {
        let target = r.target.map(|t| format!("≤ {} ms", t.as_millis())).unwrap_or_else(|| "-".into());
        let line = match &r.result {
            _ if r.skipped.is_some() => {
                format!(
                    "| {} | 0 | - | - | - | - | {} | SKIP: {} |\n",
                    r.name,
                    target,
                    r.skipped.as_deref().unwrap_or("")
                )
            }
            Ok(s) => format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                r.name,
                s.n,
                ms(s.p50),
                ms(s.p95),
                ms(s.p99),
                ms(s.max),
                target,
                r.verdict()
            ),
            Err(e) => format!("| {} | 0 | - | - | - | - | {} | ERROR: {} |\n", r.name, target, e),
        };
        out.push_str(&line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&m| Duration::from_millis(m)).collect()
    }

    #[test]
    fn nearest_rank_percentiles() {
        // 1..=100 ms: the p-th percentile is p ms.
        let s = Summary::of(&millis(&(1..=100).rev().collect::<Vec<_>>())).unwrap_or_else(|| panic!("samples"));
        assert_eq!(
            (s.p50, s.p95, s.p99, s.max),
            (millis(&[50])[0], millis(&[95])[0], millis(&[99])[0], millis(&[100])[0])
        );
        let one = Summary::of(&millis(&[7])).unwrap_or_else(|| panic!("samples"));
        assert_eq!((one.p50, one.p99), (Duration::from_millis(7), Duration::from_millis(7)));
        assert_eq!(Summary::of(&[]), None);
    }

    #[test]
    fn verdict_is_on_p95() {
        let s = Summary::of(&millis(&[1, 2, 3, 4, 50])).unwrap_or_else(|| panic!("samples"));
        let row = |t| Row { name: "x".into(), result: Ok(s), skipped: None, target: Some(Duration::from_millis(t)) };
        assert_eq!(row(50).verdict(), "PASS");
        assert_eq!(row(10).verdict(), "FAIL");
    }
}
