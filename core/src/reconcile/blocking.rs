//! Candidate generation: which rows of one side are compared with a row of
//! the other. Rows pair only within their key; inside a key, by date window
//! and amount range (rows sorted by day and amount), or, with names only, by
//! sorted neighbourhood on the name key. Work stays near-linear.

use std::collections::HashMap;

use super::names::Vocabulary;
use super::rows::Row;

/// How a key group is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// By day window and/or amount range (rows sorted by day, then cents).
    DayAmount { by_day: bool, by_amount: bool },
    /// By position among rows sorted by the first name key.
    Name,
    /// Every row of the group.
    All,
}

/// A wider date window is scanned once and filtered by amount instead of
/// searched day by day.
const MAX_DAYS_SEARCHED_ONE_BY_ONE: i64 = 366;

/// Rows on each side of a name-sorted neighbourhood.
const NAME_WINDOW: usize = 10;

/// What to look for around a probing row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Probe<'a> {
    pub key: &'a str,
    pub day: Option<i32>,
    pub day_radius: u32,
    /// Inclusive cents range.
    pub cents: Option<(i128, i128)>,
    pub name: Option<&'a [u32]>,
}

/// One side's rows grouped by key and sorted for searching.
pub(crate) struct Index<'r> {
    rows: &'r [Row],
    vocabulary: &'r Vocabulary,
    mode: Mode,
    groups: HashMap<&'r str, Vec<u32>>,
}

impl<'r> Index<'r> {
    pub fn new(rows: &'r [Row], mode: Mode, vocabulary: &'r Vocabulary) -> Index<'r> {
        let mut groups: HashMap<&str, Vec<u32>> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            if let Some(key) = &row.key {
                groups.entry(key).or_default().push(i as u32);
            }
        }
        for members in groups.values_mut() {
            match mode {
                Mode::DayAmount { .. } => members.sort_by_key(|&i| {
                    let r = &rows[i as usize];
                    (r.day.unwrap_or(0), r.cents.unwrap_or(0), i)
                }),
                Mode::Name => members.sort_by(|&a, &b| {
                    let name = |i: u32| rows[i as usize].names.first().map_or(&[][..], |n| &n.words[..]);
                    vocabulary.compare(name(a), name(b)).then(a.cmp(&b))
                }),
                Mode::All => {}
            }
        }
        Index { rows, vocabulary, mode, groups }
    }

    fn sort_key(&self, i: u32) -> (i32, i128) {
        let r = &self.rows[i as usize];
        (r.day.unwrap_or(0), r.cents.unwrap_or(0))
    }

    /// Appends the rows a probe may pair with (ascending row order).
    pub fn candidates(&self, probe: &Probe, out: &mut Vec<u32>) {
        out.clear();
        let Some(group) = self.groups.get(probe.key) else { return };
        match self.mode {
            Mode::All => out.extend_from_slice(group),
            Mode::Name => {
                let name = probe.name.unwrap_or(&[]);
                let at = group.partition_point(|&i| {
                    let row_name = self.rows[i as usize].names.first().map_or(&[][..], |n| &n.words[..]);
                    self.vocabulary.compare(row_name, name).is_lt()
                });
                let from = at.saturating_sub(NAME_WINDOW);
                let to = (at + NAME_WINDOW).min(group.len());
                out.extend_from_slice(&group[from..to]);
            }
            Mode::DayAmount { by_day, by_amount } => {
                let (lo_c, hi_c) = match (by_amount, probe.cents) {
                    (true, Some(range)) => range,
                    _ => (i128::MIN, i128::MAX),
                };
                let days = match (by_day, probe.day) {
                    (true, Some(d)) => {
                        let r = probe.day_radius as i64;
                        (d as i64 - r).max(i32::MIN as i64) as i32..=(d as i64 + r).min(i32::MAX as i64) as i32
                    }
                    _ => 0..=0,
                };
                let first = *days.start();
                let last = *days.end();
                let amount_range = by_amount && probe.cents.is_some();
                if amount_range && i64::from(last) - i64::from(first) <= MAX_DAYS_SEARCHED_ONE_BY_ONE {
                    // One range search per day of the window.
                    let mut day = first;
                    loop {
                        let from = group.partition_point(|&i| self.sort_key(i) < (day, lo_c));
                        let to = group.partition_point(|&i| self.sort_key(i) <= (day, hi_c));
                        out.extend_from_slice(&group[from..to.max(from)]);
                        if day >= last {
                            break;
                        }
                        day += 1;
                    }
                } else {
                    let from = group.partition_point(|&i| self.sort_key(i) < (first, i128::MIN));
                    let to = group.partition_point(|&i| self.sort_key(i) <= (last, i128::MAX));
                    let window = &group[from..to.max(from)];
                    if amount_range {
                        out.extend(window.iter().filter(|&&i| (lo_c..=hi_c).contains(&self.sort_key(i).1)));
                    } else {
                        out.extend_from_slice(window);
                    }
                }
                out.sort_unstable();
            }
        }
        if self.mode == Mode::Name {
            out.sort_unstable();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, day: i32, cents: i128, name: &str, v: &mut Vocabulary) -> Row {
        Row {
            index: 0,
            key: Some(key.into()),
            day: Some(day),
            cents: Some(cents),
            names: vec![crate::reconcile::names::name_key(name, v)],
            values: vec![],
        }
    }

    fn probe(key: &str, day: i32, radius: u32, cents: Option<(i128, i128)>) -> Probe<'_> {
        Probe { key, day: Some(day), day_radius: radius, cents, name: None }
    }

    #[test]
    fn day_window_and_amount_range_within_the_key() {
        let v = &mut Vocabulary::default();
        let rows = vec![
            row("a", 10, 1000, "", v),
            row("a", 12, 1000, "", v),
            row("a", 13, 1000, "", v),
            row("a", 11, 5000, "", v),
            row("b", 11, 1000, "", v),
            Row { index: 0, key: None, day: Some(11), cents: Some(1000), names: vec![], values: vec![] },
        ];
        let index = Index::new(&rows, Mode::DayAmount { by_day: true, by_amount: true }, v);
        let mut out = Vec::new();
        index.candidates(&probe("a", 11, 1, Some((900, 1100))), &mut out);
        assert_eq!(out, vec![0, 1]);
        index.candidates(&probe("a", 11, 1, None), &mut out);
        assert_eq!(out, vec![0, 1, 3]);
        index.candidates(&probe("c", 11, 9, None), &mut out);
        assert!(out.is_empty());
        // A window of years is scanned once and filtered by amount.
        index.candidates(&probe("a", 11, u32::MAX, Some((900, 1100))), &mut out);
        assert_eq!(out, vec![0, 1, 2]);
        let by_day = Index::new(&rows, Mode::DayAmount { by_day: true, by_amount: false }, v);
        by_day.candidates(&probe("a", 13, 0, Some((0, 1))), &mut out);
        assert_eq!(out, vec![2]);
    }

    #[test]
    fn name_neighbourhood_takes_rows_around_the_name() {
        let mut v = Vocabulary::default();
        let rows: Vec<Row> = (0..30).map(|i| row("k", 0, 0, &format!("name {i:02}"), &mut v)).collect();
        let name = crate::reconcile::names::name_key("name 15", &mut v);
        let index = Index::new(&rows, Mode::Name, &v);
        let mut out = Vec::new();
        index.candidates(&Probe { key: "k", day: None, day_radius: 0, cents: None, name: Some(&name.words) }, &mut out);
        assert_eq!(out, (5..25).collect::<Vec<u32>>());
    }
}
