//! A page as SVG: positioned text, boxes and rules in points (1/72 inch),
//! plus charts placed as nested SVG. Only drawing primitives live here; what
//! goes where is the pages' business.

use std::fmt::Write;

/// The font stack of every printed page: DejaVu Sans is embedded in the PDF;
/// browsers without it fall back to a narrower sans, so text never overflows.
pub const FONT_STACK: &str = "DejaVu Sans, Verdana, Arial, sans-serif";

pub const INK: &str = "#1f2933";
pub const MUTED: &str = "#5f6b7a";
pub const RULE: &str = "#c8d0da";
pub const BAND: &str = "#f2f5f8";
pub const ACCENT: &str = "#1f4e79";

/// DejaVu Sans's widest common glyphs (digits, capitals) are about 0.64 em;
/// this estimate keeps truncated text inside its column.
const EM_PER_CHAR: f64 = 0.62;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Start,
    End,
}

impl Align {
    fn anchor(self) -> &'static str {
        match self {
            Align::Start => "start",
            Align::End => "end",
        }
    }
}

/// Text style: size in points, bold, colour.
#[derive(Clone, Copy)]
pub struct Font {
    pub size: f64,
    pub bold: bool,
    pub color: &'static str,
}

impl Font {
    pub const fn regular(size: f64) -> Font {
        Font { size, bold: false, color: INK }
    }
    pub const fn bold(size: f64) -> Font {
        Font { size, bold: true, color: INK }
    }
    pub const fn muted(size: f64) -> Font {
        Font { size, bold: false, color: MUTED }
    }
}

/// Estimated width of `text` in points.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * EM_PER_CHAR
}

/// `text` cut with an ellipsis so that it fits `width` points.
pub fn fit(text: &str, size: f64, width: f64) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let keep = ((width / (size * EM_PER_CHAR)).floor() as usize).saturating_sub(1);
    let mut out: String = text.chars().take(keep).collect();
    out.push('…');
    out
}

fn cell_x(x: f64, width: f64, align: Align) -> f64 {
    match align {
        Align::Start => x,
        Align::End => x + width,
    }
}

/// `text` with its beginning cut so that its end (a file name) fits `width`.
pub fn fit_end(text: &str, size: f64, width: f64) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let keep = ((width / (size * EM_PER_CHAR)).floor() as usize).saturating_sub(1);
    let chars: Vec<char> = text.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(keep)..].iter().collect();
    format!("…{tail}")
}

/// XML text and attribute escaping.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Coordinates written with at most 2 decimals, so the bytes are the same
/// on every platform.
fn pt(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    let s = format!("{r:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One page being drawn.
pub struct Canvas {
    pub width: f64,
    pub height: f64,
    body: String,
}

impl Canvas {
    pub fn new(width: f64, height: f64) -> Canvas {
        Canvas { width, height, body: String::new() }
    }

    pub fn text(&mut self, x: f64, y: f64, font: Font, align: Align, text: &str) {
        // Bold is drawn as the regular face with a thin outline of its own
        // colour: one embedded font keeps the PDF's bytes deterministic
        // (svg2pdf names fonts in hash-map order when there are several).
        let weight = if font.bold {
            format!(r#" stroke="{}" stroke-width="{}" stroke-linejoin="round""#, font.color, pt(font.size * 0.03))
        } else {
            String::new()
        };
        let _ = writeln!(
            self.body,
            r#"<text x="{}" y="{}" font-size="{}"{weight} fill="{}" text-anchor="{}">{}</text>"#,
            pt(x),
            pt(y),
            pt(font.size),
            font.color,
            align.anchor(),
            escape(text)
        );
    }

    /// Text placed in a cell starting at `x` with that alignment, its font
    /// made smaller until it fits: figures are never cut.
    pub fn cell(&mut self, x: f64, y: f64, width: f64, font: Font, align: Align, text: &str) {
        let needed = text_width(text, font.size);
        let size = if needed > width && needed > 0.0 { font.size * width / needed } else { font.size };
        self.text(cell_x(x, width, align), y, Font { size, ..font }, align, text);
    }

    /// A name placed in a cell, cut with an ellipsis when it does not fit.
    pub fn label(&mut self, x: f64, y: f64, width: f64, font: Font, align: Align, text: &str) {
        let shown = fit(text, font.size, width);
        self.text(cell_x(x, width, align), y, font, align, &shown);
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, stroke: Option<&str>) {
        let stroke = stroke.map_or(String::new(), |s| format!(r#" stroke="{s}" stroke-width="0.6""#));
        let _ = writeln!(
            self.body,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}"{stroke}/>"#,
            pt(x),
            pt(y),
            pt(w),
            pt(h)
        );
    }

    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, color: &str, width: f64) {
        let _ = writeln!(
            self.body,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{color}" stroke-width="{}"/>"#,
            pt(x1),
            pt(y1),
            pt(x2),
            pt(y2),
            pt(width)
        );
    }

    /// Places a complete SVG document (a chart) with its top-left corner at (x, y).
    pub fn embed(&mut self, x: f64, y: f64, svg: &str) {
        let inner = svg.trim_start_matches(|c| c != '<');
        let inner = match inner.strip_prefix("<?xml") {
            Some(rest) => rest.split_once("?>").map_or(rest, |(_, r)| r).trim_start(),
            None => inner,
        };
        let _ = writeln!(self.body, r#"<g transform="translate({} {})">{inner}</g>"#, pt(x), pt(y));
    }

    /// The page as a standalone SVG document.
    pub fn finish(self) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT_STACK}\">\n<rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n{}</svg>\n",
            self.body,
            w = pt(self.width),
            h = pt(self.height)
        )
    }
}

/// Columns of a table: header, width in points, alignment.
pub struct Column {
    pub header: &'static str,
    pub width: f64,
    pub align: Align,
}

impl Column {
    pub const fn new(header: &'static str, width: f64, align: Align) -> Column {
        Column { header, width, align }
    }
}

/// The height of one table row (header included) at this font size.
pub fn row_height(size: f64) -> f64 {
    size * 1.55
}

/// Draws a table with a header row, light bands on every other row and a
/// bold last row when `total_row` is set. Left-aligned cells are names (cut
/// to fit); right-aligned cells are figures (shrunk to fit, never cut).
/// Returns the y below the table.
pub fn table(
    c: &mut Canvas,
    x: f64,
    y: f64,
    columns: &[Column],
    rows: &[Vec<String>],
    size: f64,
    total_row: bool,
) -> f64 {
    let row_h = row_height(size);
    let width: f64 = columns.iter().map(|col| col.width).sum();
    let pad = 2.5;
    let mut cx = x;
    c.rect(x, y, width, row_h, BAND, None);
    for col in columns {
        c.cell(
            cx + pad,
            y + row_h - size * 0.45,
            col.width - 2.0 * pad,
            Font { size, bold: true, color: MUTED },
            col.align,
            col.header,
        );
        cx += col.width;
    }
    let mut ry = y + row_h;
    c.line(x, ry, x + width, ry, RULE, 0.6);
    for (i, row) in rows.iter().enumerate() {
        let last = total_row && i + 1 == rows.len();
        if last {
            c.line(x, ry, x + width, ry, INK, 0.6);
        } else if i % 2 == 1 {
            c.rect(x, ry, width, row_h, "#fafbfc", None);
        }
        let font = if last { Font::bold(size) } else { Font::regular(size) };
        let mut cx = x;
        for (col, value) in columns.iter().zip(row) {
            let (x, y, w) = (cx + pad, ry + row_h - size * 0.45, col.width - 2.0 * pad);
            if col.align == Align::End {
                c.cell(x, y, w, font, col.align, value);
            } else {
                c.label(x, y, w, font, col.align, value);
            }
            cx += col.width;
        }
        ry += row_h;
    }
    c.line(x, ry, x + width, ry, RULE, 0.6);
    ry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(escape("A&B <c> \"d\" 'e'\u{1}"), "A&amp;B &lt;c&gt; &quot;d&quot; &apos;e&apos; ");
    }

    #[test]
    fn fit_cuts_with_an_ellipsis_only_when_needed() {
        assert_eq!(fit("Hospital", 10.0, 100.0), "Hospital");
        // 10 pt at 0.62 em per char: 31 pt holds 5 chars, 4 kept plus the ellipsis.
        assert_eq!(fit("Hospital outpatient", 10.0, 31.0), "Hosp…");
        assert_eq!(fit_end("/data/plan/claims.csv", 10.0, 31.0), "….csv");
    }

    #[test]
    fn coordinates_have_at_most_two_decimals() {
        assert_eq!(pt(12.0), "12");
        assert_eq!(pt(12.346), "12.35");
        assert_eq!(pt(0.1), "0.1");
    }
}
