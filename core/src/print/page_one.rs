//! Page 1: who and when, the KPI tiles, monthly cost against budget, and the
//! monthly table.

use rust_decimal::prelude::ToPrimitive;

use super::canvas::{table, Align, Canvas, Column, Font, ACCENT, BAND, MUTED, RULE};
use super::charts::{self, MonthBar};
use super::layout::{header, legend, month_short, section_title, Page, MARGIN, MAX_MONTH_ROWS};
use super::view::{completed_total_costs, monthly_cells, tiles, MONTHLY_COLUMNS};
use crate::model::error::Result;
use crate::print::figures::amount;
use crate::report::{Num, Report};

fn draw_tiles(c: &mut Canvas, page: &Page, y: f64, r: &Report) -> f64 {
    let gap = 8.0;
    let w = (page.content_width() - 3.0 * gap) / 4.0;
    let h = 44.0;
    for (i, tile) in tiles(r).iter().enumerate() {
        let x = MARGIN + (i % 4) as f64 * (w + gap);
        let ty = y + (i / 4) as f64 * (h + gap);
        c.rect(x, ty, w, h, BAND, Some(RULE));
        c.rect(x, ty, 2.5, h, ACCENT, None);
        c.cell(x + 8.0, ty + 11.0, w - 12.0, Font::muted(6.8), Align::Start, tile.name);
        c.cell(x + 8.0, ty + 27.0, w - 12.0, Font { size: 12.0, bold: true, color: ACCENT }, Align::Start, &tile.value);
        c.cell(x + 8.0, ty + 38.0, w - 12.0, Font::muted(5.6), Align::Start, &tile.context);
    }
    y + 2.0 * h + gap
}

fn to_f64(n: &Num) -> f64 {
    n.0.to_f64().unwrap_or(0.0)
}

fn monthly_chart(c: &mut Canvas, page: &Page, y: f64, r: &Report) -> Result<f64> {
    section_title(c, y, "Monthly cost against budget");
    let mut keys = vec![
        ("Medical", charts::MEDICAL),
        ("Pharmacy", charts::PHARMACY),
        ("Admin fees", charts::ADMIN),
        ("Total budget", charts::BUDGET),
    ];
    if r.completion.is_some() {
        keys.push(("Completed total cost", charts::COMPLETED));
    }
    legend(c, page, y, &keys);
    let completed = completed_total_costs(r);
    let bars: Vec<MonthBar> = r
        .monthly
        .iter()
        .map(|m| MonthBar {
            label: month_short(&m.month),
            medical: to_f64(&m.figures.medical_claims),
            pharmacy: to_f64(&m.figures.pharmacy_claims),
            admin: to_f64(&m.figures.admin_fees),
            budget: m.figures.total_budget.as_ref().map(to_f64),
            completed: completed.get(m.month.as_str()).map(to_f64),
        })
        .collect();
    let height = 185.0;
    let svg = charts::monthly_cost(&bars, page.content_width() as u32, height as u32)?;
    c.embed(MARGIN, y + 6.0, &svg);
    Ok(y + 6.0 + height)
}

fn monthly_table(c: &mut Canvas, page: &Page, y: f64, r: &Report) -> f64 {
    section_title(c, y, "Monthly figures (USD)");
    let month_w = 40.0;
    let members_w = 44.0;
    let money_w = (page.content_width() - month_w - members_w) / 7.0;
    let columns = [
        Column::new(MONTHLY_COLUMNS[0], month_w, Align::Start),
        Column::new(MONTHLY_COLUMNS[1], money_w, Align::End),
        Column::new(MONTHLY_COLUMNS[2], money_w, Align::End),
        Column::new(MONTHLY_COLUMNS[3], money_w, Align::End),
        Column::new(MONTHLY_COLUMNS[4], money_w, Align::End),
        Column::new(MONTHLY_COLUMNS[5], money_w, Align::End),
        Column::new(MONTHLY_COLUMNS[6], money_w, Align::End),
        Column::new(MONTHLY_COLUMNS[7], money_w, Align::End),
        Column::new(MONTHLY_COLUMNS[8], members_w, Align::End),
    ];
    let skipped = r.monthly.len().saturating_sub(MAX_MONTH_ROWS);
    let mut rows: Vec<Vec<String>> = r.monthly[skipped..].iter().map(|m| monthly_cells(&m.month, &m.figures)).collect();
    let s = &r.summary.sums;
    rows.push(monthly_cells("Period", s));
    let mut end = table(c, MARGIN, y + 5.0, &columns, &rows, 6.3, true);
    let mut foot = format!(
        "Net claims = medical + pharmacy - rebates ({}) - stop-loss reimbursements ({}). Variance = budget - total cost.",
        amount(Some(&s.rebates)),
        amount(Some(&s.stop_loss_reimbursements))
    );
    if skipped > 0 {
        foot.push_str(&format!(
            " The first {skipped} months are in the JSON report only; the Period row covers all months."
        ));
    }
    end += 9.0;
    c.cell(MARGIN, end, page.content_width(), Font { size: 5.8, bold: false, color: MUTED }, Align::Start, &foot);
    end
}

/// Draws page 1 and returns it as SVG.
pub fn draw(r: &Report, page: &Page) -> Result<String> {
    let mut c = Canvas::new(page.width, page.height);
    let y = header(&mut c, page, r, 1);
    let y = draw_tiles(&mut c, page, y + 10.0, r);
    let y = monthly_chart(&mut c, page, y + 18.0, r)?;
    monthly_table(&mut c, page, y + 16.0, r);
    Ok(c.finish())
}
