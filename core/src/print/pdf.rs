//! SVG pages to one PDF: each page converted by svg2pdf into a form XObject
//! with DejaVu Sans embedded (subset), then placed on a page of the paper.
//! No dates or random ids are written, so the bytes depend on the report only.

use std::collections::HashMap;
use std::sync::Arc;

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, TextStr};
use svg2pdf::usvg;

use super::layout::Paper;
use crate::model::error::{Error, Result};

fn svg_options() -> usvg::Options<'static> {
    let mut options = usvg::Options { font_family: "DejaVu Sans".to_string(), ..usvg::Options::default() };
    let fonts = options.fontdb_mut();
    fonts.load_font_source(usvg::fontdb::Source::Binary(Arc::new(dejavu::sans::regular())));
    fonts.set_sans_serif_family("DejaVu Sans");
    options
}

pub fn document(pages: &[String; 2], paper: Paper, title: &str) -> Result<Vec<u8>> {
    let (width, height) = paper.size();
    let options = svg_options();
    let mut next = Ref::new(1);
    let catalog = next.bump();
    let page_tree = next.bump();
    let info = next.bump();
    let mut pdf = Pdf::new();
    let mut page_ids = Vec::with_capacity(pages.len());
    for (i, svg) in pages.iter().enumerate() {
        let tree = usvg::Tree::from_str(svg, &options)
            .map_err(|e| Error::engine(format!("page {} of the printed report is not valid SVG: {e}", i + 1)))?;
        let (chunk, root) = svg2pdf::to_chunk(&tree, svg2pdf::ConversionOptions::default())
            .map_err(|e| Error::engine(format!("page {} could not be converted to PDF: {e}", i + 1)))?;
        let mut renumbered = HashMap::new();
        let chunk = chunk.renumber(|old| *renumbered.entry(old).or_insert_with(|| next.bump()));
        let form =
            *renumbered.get(&root).ok_or_else(|| Error::engine("svg2pdf returned a chunk without its root object"))?;
        let page_id = next.bump();
        let content_id = next.bump();
        let name = Name(b"Page");
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, width as f32, height as f32));
        page.parent(page_tree);
        page.contents(content_id);
        page.resources().x_objects().pair(name, form);
        page.finish();
        let mut content = Content::new();
        content.transform([width as f32, 0.0, 0.0, height as f32, 0.0, 0.0]);
        content.x_object(name);
        pdf.stream(content_id, &content.finish());
        pdf.extend(&chunk);
        page_ids.push(page_id);
    }
    pdf.catalog(catalog).pages(page_tree);
    pdf.pages(page_tree).kids(page_ids.iter().copied()).count(page_ids.len() as i32);
    pdf.document_info(info).title(TextStr(title)).producer(TextStr("claimscope"));
    Ok(pdf.finish())
}
