//! What both pages share: paper sizes, margins, the page header, section
//! titles and chart legends.

use plotters::style::RGBColor;

use super::canvas::{Align, Canvas, Font, ACCENT, MUTED, RULE};
use crate::report::Report;

pub const MARGIN: f64 = 36.0;
/// Months listed in the monthly table; longer periods list their last months.
pub const MAX_MONTH_ROWS: usize = 24;

/// Paper of the printed report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    /// US Letter, 8.5 x 11 in.
    #[default]
    Letter,
    /// ISO A4, 210 x 297 mm.
    A4,
}

impl Paper {
    /// `letter` or `a4` (any case).
    pub fn parse(text: &str) -> Option<Paper> {
        match text.to_ascii_lowercase().as_str() {
            "letter" => Some(Paper::Letter),
            "a4" => Some(Paper::A4),
            _ => None,
        }
    }

    /// Width and height in points.
    pub fn size(self) -> (f64, f64) {
        match self {
            Paper::Letter => (612.0, 792.0),
            Paper::A4 => (595.28, 841.89),
        }
    }

    pub fn css_name(self) -> &'static str {
        match self {
            Paper::Letter => "letter",
            Paper::A4 => "A4",
        }
    }
}

/// The page being laid out and what its header says.
pub struct Page {
    pub width: f64,
    pub height: f64,
    pub run_date: Option<String>,
}

impl Page {
    pub fn new(paper: Paper, run_date: Option<String>) -> Page {
        let (width, height) = paper.size();
        Page { width, height, run_date }
    }

    pub fn content_width(&self) -> f64 {
        self.width - 2.0 * MARGIN
    }

    pub fn bottom(&self) -> f64 {
        self.height - MARGIN
    }
}

pub const HEADING: &str = "Health plan cost report";

/// The document's title (HTML <title>, PDF Title).
pub fn title(r: &Report) -> String {
    format!("{HEADING} — client {} — {}", r.client_id, r.period.label)
}

/// `2025-01` -> `Jan 25`.
pub fn month_short(month: &str) -> String {
    const NAMES: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let parsed = month.split_once('-').and_then(|(y, m)| Some((y.get(2..)?, m.parse::<usize>().ok()?)));
    match parsed {
        Some((yy, m)) if (1..=12).contains(&m) => format!("{} {yy}", NAMES[m - 1]),
        _ => month.to_string(),
    }
}

/// The header of each page; returns the y below it.
pub fn header(c: &mut Canvas, page: &Page, r: &Report, number: u32) -> f64 {
    let right = page.width - MARGIN;
    c.text(MARGIN, MARGIN + 12.0, Font { size: 15.0, bold: true, color: ACCENT }, Align::Start, HEADING);
    c.text(right, MARGIN + 4.0, Font::muted(6.5), Align::End, &format!("page {number} of 2"));
    let who = format!(
        "Client {} · period {} ({} to {}) · {} basis",
        r.client_id, r.period.label, r.period.start, r.period.end, r.basis
    );
    c.cell(MARGIN, MARGIN + 26.0, page.content_width() * 0.8, Font::regular(8.5), Align::Start, &who);
    let made = match &page.run_date {
        Some(d) => format!("claimscope {} · run {d}", r.engine_version),
        None => format!("claimscope {}", r.engine_version),
    };
    c.text(right, MARGIN + 26.0, Font::muted(6.5), Align::End, &made);
    c.line(MARGIN, MARGIN + 32.0, right, MARGIN + 32.0, RULE, 0.8);
    MARGIN + 32.0
}

pub fn section_title(c: &mut Canvas, y: f64, title: &str) {
    c.text(MARGIN, y, Font::bold(8.5), Align::Start, title);
}

/// A legend on the right of a section title: swatch and name per series.
pub fn legend(c: &mut Canvas, page: &Page, y: f64, items: &[(&str, RGBColor)]) {
    let size = 6.5;
    let mut x = page.width - MARGIN;
    for (name, color) in items.iter().rev() {
        let w = super::canvas::text_width(name, size);
        x -= w;
        c.text(x, y, Font { size, bold: false, color: MUTED }, Align::Start, name);
        x -= 9.0;
        let RGBColor(r, g, b) = *color;
        c.rect(x, y - 5.5, 6.5, 6.5, &format!("#{r:02x}{g:02x}{b:02x}"), None);
        x -= 10.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_labels_are_short() {
        assert_eq!(month_short("2025-01"), "Jan 25");
        assert_eq!(month_short("2024-12"), "Dec 24");
        assert_eq!(month_short("2024-13"), "2024-13");
        assert_eq!(month_short("x"), "x");
    }

    #[test]
    fn paper_names() {
        assert_eq!(Paper::parse("A4"), Some(Paper::A4));
        assert_eq!(Paper::parse("letter"), Some(Paper::Letter));
        assert_eq!(Paper::parse("legal"), None);
    }
}
