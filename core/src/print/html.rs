//! The HTML wrapper: the page SVGs inline, print CSS for the paper size, and
//! the report document itself as embedded JSON so the file is its own data.

use super::canvas::escape;
use super::layout::{self, Paper};
use crate::model::error::Result;
use crate::report::Report;

pub fn document(report: &Report, paper: Paper, pages: &[String; 2]) -> Result<String> {
    let (w, h) = paper.size();
    // `</` cannot end the script element early once written as `<\/` (still valid JSON).
    let json = report.to_json()?.replace("</", "<\\/");
    let title = escape(&layout::title(report));
    let mut out = String::with_capacity(pages[0].len() + pages[1].len() + json.len() + 2048);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{title}</title>\n"));
    out.push_str(&format!(
        "<style>\n@page {{ size: {paper}; margin: 0; }}\nhtml, body {{ margin: 0; padding: 0; background: #e4e8ed; }}\n\
.page {{ width: {w}pt; height: {h}pt; margin: 16pt auto; background: #fff; box-shadow: 0 1pt 4pt rgba(0,0,0,.25); overflow: hidden; }}\n\
.page svg {{ display: block; width: {w}pt; height: {h}pt; }}\n\
@media print {{ html, body {{ background: #fff; }} .page {{ margin: 0; box-shadow: none; break-after: page; }} .page:last-of-type {{ break-after: auto; }} }}\n</style>\n",
        paper = paper.css_name()
    ));
    out.push_str("</head>\n<body>\n");
    for (i, svg) in pages.iter().enumerate() {
        out.push_str(&format!("<section class=\"page\" aria-label=\"Page {} of 2\">\n", i + 1));
        out.push_str(svg);
        out.push_str("</section>\n");
    }
    out.push_str("<script type=\"application/json\" id=\"claimscope-report\">\n");
    out.push_str(&json);
    out.push_str("</script>\n</body>\n</html>\n");
    Ok(out)
}
