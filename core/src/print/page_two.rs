//! Page 2: where the money went (service categories, diagnosis groups), who
//! drove it (high-cost claimants, concentration), stop-loss, warnings, notes
//! and the lineage footnote that traces every figure to its input files.

use rust_decimal::prelude::ToPrimitive;

use super::canvas::{row_height, table, Align, Canvas, Column, Font, MUTED};
use super::charts::{self, Bar};
use super::layout::{header, section_title, Page, MARGIN};
use crate::model::error::Result;
use crate::print::figures::{amount, count, money, ratio};
use crate::report::{BreakdownFigures, Report};

/// Rows of each ranked chart and of the high-cost table; the JSON has them all.
const MAX_BARS: usize = 10;
const MAX_CLAIMANTS: usize = 15;
const MAX_LINEAGE: usize = 12;
const SMALL: f64 = 5.8;
const LINEAGE_SIZE: f64 = 5.2;

fn bar(label: String, f: &BreakdownFigures) -> Bar {
    match f.total {
        Some(total) => Bar {
            label,
            value: total.0.to_f64(),
            note: format!("{} · {}", money(Some(&total)), ratio(f.share_of_gross.as_ref())),
        },
        None => Bar { label, value: None, note: "suppressed".to_string() },
    }
}

fn more(shown: usize, all: usize) -> String {
    if all > shown {
        format!(" (first {shown} of {all})")
    } else {
        String::new()
    }
}

fn breakdown_charts(c: &mut Canvas, page: &Page, y: f64, r: &Report) -> Result<f64> {
    let gap = 14.0;
    let w = (page.content_width() - gap) / 2.0;
    let h = 176.0;
    let cats: Vec<Bar> = r.service_categories.iter().take(MAX_BARS).map(|s| bar(s.name.clone(), &s.figures)).collect();
    let groups: Vec<Bar> = r
        .diagnosis_groups
        .iter()
        .take(MAX_BARS)
        .map(|g| {
            bar(if g.chapter == g.name { g.name.clone() } else { format!("{} {}", g.chapter, g.name) }, &g.figures)
        })
        .collect();
    section_title(c, y, &format!("Service categories{}", more(cats.len(), r.service_categories.len())));
    c.text(
        MARGIN + w + gap,
        y,
        Font::bold(8.5),
        Align::Start,
        &format!("Diagnosis groups{}", more(groups.len(), r.diagnosis_groups.len())),
    );
    let left = charts::ranked_bars(&cats, w as u32, h as u32, charts::MEDICAL)?;
    let right = charts::ranked_bars(&groups, w as u32, h as u32, charts::PHARMACY)?;
    c.embed(MARGIN, y + 4.0, &left);
    c.embed(MARGIN + w + gap, y + 4.0, &right);
    c.text(
        MARGIN,
        y + h + 10.0,
        Font::muted(SMALL),
        Align::Start,
        "Total (medical + pharmacy) and share of gross claims.",
    );
    Ok(y + h + 10.0)
}

fn high_cost(c: &mut Canvas, page: &Page, y: f64, r: &Report) -> f64 {
    let h = &r.high_cost_claimants;
    section_title(c, y, "High-cost claimants");
    let facts = format!(
        "total at least {}: {} claimants, {} in all · share of gross {} · share of claimants {}",
        money(Some(&h.threshold)),
        h.count,
        money(Some(&h.total)),
        ratio(h.share_of_gross.as_ref()),
        ratio(h.share_of_claimants.as_ref())
    );
    let after = super::canvas::text_width("High-cost claimants", 8.5) + 8.0;
    c.cell(MARGIN + after, y, page.content_width() - after, Font::muted(6.5), Align::Start, &facts);
    let cw = page.content_width();
    let unit = cw / 540.0;
    let columns = [
        Column::new("Claimant", 62.0 * unit, Align::Start),
        Column::new("Diagnosis", 128.0 * unit, Align::Start),
        Column::new("Medical", 58.0 * unit, Align::End),
        Column::new("Pharmacy", 52.0 * unit, Align::End),
        Column::new("Total", 60.0 * unit, Align::End),
        Column::new("Claims", 32.0 * unit, Align::End),
        Column::new("Stop-loss reimbursed", 74.0 * unit, Align::End),
        Column::new("Excess over specific", 74.0 * unit, Align::End),
    ];
    let rows: Vec<Vec<String>> = h
        .claimants
        .iter()
        .take(MAX_CLAIMANTS)
        .map(|k| {
            let diagnosis = match (&k.primary_icd, &k.layman_term) {
                (Some(code), Some(term)) => format!("{code} {term} ({})", k.chapter),
                (Some(code), None) => format!("{code} ({})", k.chapter),
                _ => k.chapter.clone(),
            };
            vec![
                k.claimant_id.clone(),
                diagnosis,
                amount(Some(&k.medical)),
                amount(Some(&k.pharmacy)),
                amount(Some(&k.total)),
                count(Some(k.claim_count)),
                amount(Some(&k.stop_loss_reimbursed)),
                amount(k.excess_over_specific.as_ref()),
            ]
        })
        .collect();
    if rows.is_empty() {
        c.text(MARGIN, y + 12.0, Font::muted(6.5), Align::Start, "No claimant reached the threshold in this period.");
        return y + 14.0;
    }
    let end = table(c, MARGIN, y + 5.0, &columns, &rows, 6.2, false);
    let listed = format!("Largest {} by total, USD{}.", rows.len(), more(rows.len(), h.claimants.len()));
    c.text(MARGIN, end + 8.0, Font::muted(SMALL), Align::Start, &listed);
    end + 8.0
}

fn concentration(c: &mut Canvas, y: f64, width: f64, r: &Report) -> f64 {
    section_title(c, y, "Concentration");
    let columns = [
        Column::new("Top claimants", width * 0.4, Align::Start),
        Column::new("Claimants", width * 0.3, Align::End),
        Column::new("Share of gross", width * 0.3, Align::End),
    ];
    let rows: Vec<Vec<String>> = r
        .concentration
        .iter()
        .map(|k| vec![format!("top {}%", k.top_pct), count(Some(k.claimants)), ratio(k.share.as_ref())])
        .collect();
    table(c, MARGIN, y + 5.0, &columns, &rows, 6.2, false)
}

fn stop_loss(c: &mut Canvas, x: f64, y: f64, width: f64, r: &Report) -> f64 {
    c.text(x, y, Font::bold(8.5), Align::Start, "Stop-loss");
    let received = money(Some(&r.summary.sums.stop_loss_reimbursements));
    let mut lines: Vec<(String, String)> = vec![("Credited in the period".into(), received)];
    match &r.stop_loss {
        Some(sl) => {
            let k = &sl.contract;
            lines.push((
                "Contract".into(),
                format!("{} basis {}, {} to {}", k.start_month, k.basis, k.start_month, k.end_month),
            ));
            lines.push(("Specific deductible".into(), money(Some(&k.specific_deductible))));
            lines.push(("Claimants over deductible".into(), count(Some(sl.specific.claimants_over_deductible))));
            lines.push(("Expected specific".into(), money(Some(&sl.specific.expected_specific))));
            lines.push(("Received (claimant-linked)".into(), money(Some(&sl.specific.received))));
            lines.push(("Outstanding".into(), money(Some(&sl.specific.outstanding))));
            lines.push(("Aggregate claims".into(), money(Some(&sl.aggregate.aggregate_claims))));
            lines.push(("Attachment point".into(), money(sl.aggregate.attachment_point.as_ref())));
            lines.push(("Aggregate ratio".into(), ratio(sl.aggregate.aggregate_ratio.as_ref())));
        }
        None => lines.push(("Contract".into(), "none given".into())),
    }
    let mut ly = y + 4.0;
    for (name, value) in &lines {
        ly += 9.0;
        c.label(x, ly, width * 0.5, Font::regular(6.2), Align::Start, name);
        c.cell(x + width * 0.5, ly, width * 0.5, Font::regular(6.2), Align::End, value);
    }
    ly
}

fn lineage_height(r: &Report) -> f64 {
    24.0 + (r.lineage.len().min(MAX_LINEAGE) + 1) as f64 * row_height(LINEAGE_SIZE)
}

fn lineage(c: &mut Canvas, page: &Page, y: f64, r: &Report) {
    section_title(c, y, "Lineage: the input files behind every figure");
    let unit = page.content_width() / 540.0;
    let columns = [
        Column::new("Table", 62.0 * unit, Align::Start),
        Column::new("Source", 106.0 * unit, Align::Start),
        Column::new("sha256", 232.0 * unit, Align::Start),
        Column::new("Read", 46.0 * unit, Align::End),
        Column::new("Accepted", 46.0 * unit, Align::End),
        Column::new("Rejected", 48.0 * unit, Align::End),
    ];
    let rows: Vec<Vec<String>> = r
        .lineage
        .iter()
        .take(MAX_LINEAGE)
        .map(|l| {
            vec![
                l.table.clone(),
                super::canvas::fit_end(&l.source, LINEAGE_SIZE, 106.0 * unit - 5.0),
                l.sha256.clone(),
                count(Some(l.records_read as i64)),
                count(Some(l.accepted as i64)),
                count(Some(l.rejected as i64)),
            ]
        })
        .collect();
    let end = table(c, MARGIN, y + 4.0, &columns, &rows, LINEAGE_SIZE, false);
    if r.lineage.len() > rows.len() {
        let rest = r.lineage.len() - rows.len();
        c.text(
            MARGIN,
            end + 7.0,
            Font::muted(SMALL),
            Align::Start,
            &format!("{rest} more input files are listed in the JSON report's lineage."),
        );
    }
}

/// Warnings, then notes, wrapped to the page width, as many lines as fit
/// between `y` and `limit`; what does not fit is counted, never silently
/// dropped. Returns the y of the last line.
fn warnings_and_notes(c: &mut Canvas, page: &Page, y: f64, limit: f64, r: &Report) -> f64 {
    let size = 6.0;
    let line_h = size * 1.45;
    let chars = (page.content_width() / (size * 0.56)) as usize;
    let mut items: Vec<(&str, String)> =
        r.warnings.iter().map(|w| ("Warning", format!("[{}] {}", w.code, w.message))).collect();
    items.extend(r.notes.iter().map(|n| ("Note", n.clone())));
    section_title(c, y, "Warnings and notes");
    let mut ly = y + 2.0;
    for (shown, (kind, text)) in items.iter().enumerate() {
        let line = format!("{kind}: {text}");
        let lines = textwrap::wrap(&line, chars);
        if ly + line_h * (lines.len().min(3) as f64 + 1.0) > limit {
            let rest = items.len() - shown;
            ly += line_h;
            c.text(
                MARGIN,
                ly,
                Font::muted(size),
                Align::Start,
                &format!("{rest} more warnings and notes are in the JSON report."),
            );
            return ly;
        }
        for (i, part) in lines.iter().take(3).enumerate() {
            ly += line_h;
            let cut = i == 2 && lines.len() > 3;
            let text = if cut { format!("{part} …") } else { part.to_string() };
            let font = if *kind == "Warning" { Font::regular(size) } else { Font { size, bold: false, color: MUTED } };
            c.text(MARGIN, ly, font, Align::Start, &text);
        }
    }
    if items.is_empty() {
        ly += line_h;
        c.text(MARGIN, ly, Font::muted(size), Align::Start, "No warnings.");
    }
    ly
}

/// Draws page 2 and returns it as SVG.
pub fn draw(r: &Report, page: &Page) -> Result<String> {
    let mut c = Canvas::new(page.width, page.height);
    let y = header(&mut c, page, r, 2);
    let y = breakdown_charts(&mut c, page, y + 16.0, r)?;
    let y = high_cost(&mut c, page, y + 16.0, r);
    let half = (page.content_width() - 24.0) / 2.0;
    let y1 = concentration(&mut c, y + 16.0, half, r);
    let y2 = stop_loss(&mut c, MARGIN + half + 24.0, y + 16.0, half, r);
    let end = warnings_and_notes(&mut c, page, y1.max(y2) + 16.0, page.bottom() - lineage_height(r) - 14.0, r);
    lineage(&mut c, page, end + 16.0, r);
    Ok(c.finish())
}
