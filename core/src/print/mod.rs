//! The printed report: two pages drawn as SVG from the report document, put
//! into a self-contained HTML file or a 2-page PDF with embedded fonts.
//! Same inputs, same bytes: nothing reads a clock unless a run date is given.
//!
//! ```
//! # let ds = claimscope::tools::demo::dataset().unwrap();
//! # let report = ds.report(None, "2025", &Default::default()).unwrap();
//! use claimscope::print::{PrintOptions, Paper};
//! let options = PrintOptions { paper: Paper::A4, run_date: None };
//! let pdf = claimscope::print::pdf(&report, &options).unwrap();
//! assert!(pdf.starts_with(b"%PDF-"));
//! ```

mod canvas;
mod charts;
pub mod figures;
mod html;
mod layout;
mod page_one;
mod page_two;
mod pdf;
pub mod text;
pub mod view;

pub use layout::Paper;

use crate::model::error::{Error, Result};
use crate::report::Report;
use layout::Page;

/// How the report is printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrintOptions {
    pub paper: Paper,
    /// Shown in the page header when given (e.g. `2026-01-15`); never read
    /// from the clock, so the same inputs give the same bytes.
    pub run_date: Option<String>,
}

impl PrintOptions {
    /// From the doors' plain values: `paper` is `letter` or `a4` (any case).
    pub fn new(paper: &str, run_date: Option<String>) -> Result<PrintOptions> {
        let paper = Paper::parse(paper)
            .ok_or_else(|| Error::argument(format!("paper '{paper}' is not known; use letter or a4")))?;
        Ok(PrintOptions { paper, run_date })
    }
}

/// The two pages as SVG documents.
pub fn pages(report: &Report, options: &PrintOptions) -> Result<[String; 2]> {
    let page = Page::new(options.paper, options.run_date.clone());
    Ok([page_one::draw(report, &page)?, page_two::draw(report, &page)?])
}

/// A self-contained HTML file (inline SVG, inline CSS, no scripts or
/// network): the two pages, which print as two pages of the chosen paper.
pub fn html(report: &Report, options: &PrintOptions) -> Result<String> {
    html::document(report, options.paper, &pages(report, options)?)
}

/// A 2-page PDF of the chosen paper with DejaVu Sans embedded.
pub fn pdf(report: &Report, options: &PrintOptions) -> Result<Vec<u8>> {
    pdf::document(&pages(report, options)?, options.paper, &layout::title(report))
}
