//! The printed report's charts, drawn with plotters' SVG backend. Values are
//! converted to f64 here only to place marks on a page; every printed figure
//! comes from the report's exact decimals, never from these.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::canvas::FONT_STACK;
use crate::model::error::{Error, Result};

pub const MEDICAL: RGBColor = RGBColor(31, 78, 121);
pub const PHARMACY: RGBColor = RGBColor(91, 155, 213);
pub const ADMIN: RGBColor = RGBColor(190, 198, 208);
pub const BUDGET: RGBColor = RGBColor(192, 57, 43);
pub const COMPLETED: RGBColor = RGBColor(39, 125, 80);
const AXIS: RGBColor = RGBColor(95, 107, 122);
const GRID: RGBColor = RGBColor(226, 231, 237);

/// plotters writes font-size as size / 1.24; this gives `pt` points on the page.
fn font(pt: f64) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(FONT_STACK), pt * 1.24, FontStyle::Normal).color(&AXIS)
}

fn drawing_error<E: std::fmt::Debug>(e: E) -> Error {
    Error::engine(format!("drawing a chart failed: {e:?}"))
}

/// Runs a drawing with plotters, turning a panic inside it (a library
/// arithmetic edge) into an error, so no input can crash a door.
fn guarded(draw: impl FnOnce() -> Result<String>) -> Result<String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(draw))
        .unwrap_or_else(|_| Err(Error::engine("drawing a chart failed inside plotters; the JSON report is unaffected")))
}

/// Axis ticks as compact dollars (`$250k`, `$1.5M`): a scale, not a figure.
pub fn axis_money(v: f64) -> String {
    let a = v.abs();
    let sign = if v < 0.0 { "-" } else { "" };
    let (scaled, unit) = if a >= 1e9 {
        (a / 1e9, "B")
    } else if a >= 1e6 {
        (a / 1e6, "M")
    } else if a >= 1e3 {
        (a / 1e3, "k")
    } else {
        (a, "")
    };
    let text = format!("{scaled:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{sign}${text}{unit}")
}

/// A headroom above the largest value so bars never touch the frame.
fn upper(max: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        max * 1.12
    } else {
        1.0
    }
}

/// One month of the cost chart.
pub struct MonthBar {
    pub label: String,
    pub medical: f64,
    pub pharmacy: f64,
    pub admin: f64,
    pub budget: Option<f64>,
    /// Completed total cost (when the report has a completion section).
    pub completed: Option<f64>,
}

/// Monthly cost, medical / pharmacy / admin stacked, against the budget line.
/// Negative months (reversals larger than payments) draw as empty bars.
pub fn monthly_cost(months: &[MonthBar], width: u32, height: u32) -> Result<String> {
    guarded(|| draw_monthly_cost(months, width, height))
}

fn draw_monthly_cost(months: &[MonthBar], width: u32, height: u32) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let n = months.len().max(1) as u32;
        let top = months
            .iter()
            .map(|m| {
                (m.medical.max(0.0) + m.pharmacy.max(0.0) + m.admin.max(0.0))
                    .max(m.budget.unwrap_or(0.0))
                    .max(m.completed.unwrap_or(0.0))
            })
            .fold(0.0, f64::max);
        let mut chart = ChartBuilder::on(&root)
            .margin(4)
            .x_label_area_size(16)
            .y_label_area_size(44)
            // plotters' integer ranges include their end: 0..n-1 is n slots.
            .build_cartesian_2d((0..n - 1).into_segmented(), 0.0..upper(top))
            .map_err(drawing_error)?;
        let label_of = |v: &SegmentValue<u32>| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                months.get(*i as usize).map_or(String::new(), |m| m.label.clone())
            }
            SegmentValue::Last => String::new(),
        };
        let money_tick = |v: &f64| axis_money(*v);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(AXIS)
            .y_labels(5)
            .x_labels(if n > 18 { (n / 2) as usize } else { n as usize })
            .x_label_formatter(&label_of)
            .y_label_formatter(&money_tick)
            .label_style(font(6.0))
            .draw()
            .map_err(drawing_error)?;
        // A gap of 15% of a month's slot on each side of its bar.
        let gap = ((width as f64 - 52.0) / n as f64 * 0.15).round() as u32;
        for (i, m) in months.iter().enumerate() {
            let i = i as u32;
            let mut base = 0.0;
            for (value, color) in [(m.medical, MEDICAL), (m.pharmacy, PHARMACY), (m.admin, ADMIN)] {
                let h = value.max(0.0);
                if h > 0.0 {
                    let mut bar = Rectangle::new(
                        [(SegmentValue::Exact(i), base), (SegmentValue::Exact(i + 1), base + h)],
                        color.filled(),
                    );
                    bar.set_margin(0, 0, gap, gap);
                    chart.draw_series(std::iter::once(bar)).map_err(drawing_error)?;
                }
                base += h;
            }
        }
        // The budget and completed lines break where a month has no value.
        for (color, value) in
            [(BUDGET, (|m: &MonthBar| m.budget) as fn(&MonthBar) -> Option<f64>), (COMPLETED, |m| m.completed)]
        {
            let mut run: Vec<(SegmentValue<u32>, f64)> = Vec::new();
            let mut runs = Vec::new();
            for (i, m) in months.iter().enumerate() {
                match value(m) {
                    Some(b) => run.push((SegmentValue::CenterOf(i as u32), b)),
                    None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
                    None => {}
                }
            }
            if !run.is_empty() {
                runs.push(run);
            }
            for points in runs {
                chart
                    .draw_series(LineSeries::new(points.iter().cloned(), color.stroke_width(2)))
                    .map_err(drawing_error)?;
                chart
                    .draw_series(points.iter().map(|p| Circle::new(p.clone(), 2, color.filled())))
                    .map_err(drawing_error)?;
            }
        }
        root.present().map_err(drawing_error)?;
    }
    Ok(svg)
}

/// One bar of a ranked breakdown; `value` None (a suppressed group) draws no bar.
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    /// Written after the bar (the exact figure as text).
    pub note: String,
}

/// Horizontal bars, first item on top, each with its note at the bar's end.
pub fn ranked_bars(bars: &[Bar], width: u32, height: u32, color: RGBColor) -> Result<String> {
    guarded(|| draw_ranked_bars(bars, width, height, color))
}

fn draw_ranked_bars(bars: &[Bar], width: u32, height: u32, color: RGBColor) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let n = bars.len().max(1) as u32;
        let top = bars.iter().filter_map(|b| b.value).fold(0.0, f64::max);
        // Room on the right for the notes.
        let x_max = upper(top) * 1.55;
        let label_area = (width as f64 * 0.36) as u32;
        let mut chart = ChartBuilder::on(&root)
            .margin(3)
            .y_label_area_size(label_area)
            .build_cartesian_2d(0.0..x_max, (0..n - 1).into_segmented())
            .map_err(drawing_error)?;
        // No tick labels (plotters overflows on a label count of 0, so the
        // labels are blank instead).
        let blank = |_: &SegmentValue<u32>| String::new();
        let blank_x = |_: &f64| String::new();
        chart
            .configure_mesh()
            .disable_mesh()
            .axis_style(AXIS)
            .x_labels(2)
            .y_labels(n as usize)
            .x_label_formatter(&blank_x)
            .y_label_formatter(&blank)
            .draw()
            .map_err(drawing_error)?;
        // Names are drawn at each bar's centre, right-aligned before the axis.
        let max_width = label_area as f64 - 8.0;
        let name_style = font(6.0).pos(Pos::new(HPos::Right, VPos::Center));
        for (i, b) in bars.iter().enumerate() {
            let k = n - 1 - i as u32;
            let end = b.value.unwrap_or(0.0).max(0.0);
            if end > 0.0 {
                let mut bar =
                    Rectangle::new([(0.0, SegmentValue::Exact(k)), (end, SegmentValue::Exact(k + 1))], color.filled());
                bar.set_margin(2, 2, 0, 0);
                chart.draw_series(std::iter::once(bar)).map_err(drawing_error)?;
            }
            // Control characters are not allowed in SVG text.
            let clean: String = b.label.chars().filter(|c| !c.is_control()).collect();
            let name = super::canvas::fit(&clean, 6.0, max_width);
            let named =
                EmptyElement::at((0.0, SegmentValue::CenterOf(k))) + Text::new(name, (-8, 0), name_style.clone());
            chart.draw_series(std::iter::once(named)).map_err(drawing_error)?;
            let style = font(6.0).pos(Pos::new(HPos::Left, VPos::Center));
            let note = Text::new(b.note.clone(), (end + x_max * 0.01, SegmentValue::CenterOf(k)), style);
            chart.draw_series(std::iter::once(note)).map_err(drawing_error)?;
        }
        root.present().map_err(drawing_error)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_ticks_are_compact_dollars() {
        assert_eq!(axis_money(0.0), "$0");
        assert_eq!(axis_money(250_000.0), "$250k");
        assert_eq!(axis_money(1_500_000.0), "$1.5M");
        assert_eq!(axis_money(-2_000.0), "-$2k");
    }

    #[test]
    fn empty_or_negative_data_still_draws() {
        let svg = monthly_cost(&[], 300, 150).unwrap();
        assert!(svg.contains("<svg"));
        let month = MonthBar {
            label: "Jan 25".into(),
            medical: -5.0,
            pharmacy: 0.0,
            admin: 0.0,
            budget: None,
            completed: None,
        };
        assert!(monthly_cost(&[month], 300, 150).unwrap().contains("Jan 25"));
        let bars = [Bar { label: "Other (suppressed)".into(), value: None, note: "suppressed".into() }];
        assert!(ranked_bars(&bars, 200, 100, MEDICAL).unwrap().contains("suppressed"));
    }
}
