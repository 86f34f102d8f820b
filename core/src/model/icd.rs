//! The ICD-10-CM chapter table (shipped as data) and the mapping of a stored
//! code to its chapter by its 3-character category, compared as strings.

use std::sync::{Arc, OnceLock};

use datafusion::arrow::array::{Array, ArrayRef, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::cast::as_string_array;
use datafusion::logical_expr::{create_udf, ColumnarValue, ScalarUDF, Volatility};
use serde::Deserialize;

/// The chapter table as shipped (spec/icd10cm-chapters.json).
pub const CHAPTERS_JSON: &str = include_str!("../../data/icd10cm-chapters.json");

pub const UNKNOWN: &str = "Unknown";

/// One chapter: its range code (`I00-I99`), ends and plain-language name.
#[derive(Debug, Clone, Deserialize)]
pub struct Chapter {
    pub number: u32,
    pub chapter: String,
    pub first: String,
    pub last: String,
    pub name: String,
    pub official: String,
}

#[derive(Deserialize)]
struct ChapterFile {
    chapters: Vec<Chapter>,
}

/// The 22 chapters, in the file's order.
pub fn chapters() -> &'static [Chapter] {
    static TABLE: OnceLock<Vec<Chapter>> = OnceLock::new();
    TABLE.get_or_init(|| serde_json::from_str::<ChapterFile>(CHAPTERS_JSON).map(|f| f.chapters).unwrap_or_default())
}

/// The 3-character category of a stored code: letter, digit, digit-or-letter.
fn category(code: &str) -> Option<&str> {
    let b = code.as_bytes();
    let ok = b.len() >= 3
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_digit()
        && (b[2].is_ascii_digit() || b[2].is_ascii_uppercase());
    ok.then(|| &code[..3])
}

/// The chapter a stored code (`E119`) belongs to; None for Unknown.
pub fn chapter_of(code: &str) -> Option<&'static Chapter> {
    let cat = category(code)?;
    chapters().iter().find(|c| c.first.as_str() <= cat && cat <= c.last.as_str())
}

/// The range code of a code's chapter, or `Unknown`.
pub fn chapter_code(code: Option<&str>) -> &'static str {
    code.and_then(chapter_of).map_or(UNKNOWN, |c| c.chapter.as_str())
}

/// `chapter_code` of text column `column` as a SQL expression of DataFusion's
/// core operators, for an engine that knows none of this crate's functions
/// (a cluster's executors): the category pattern, then the ranges in table
/// order. A code whose category is valid starts with it, so `first <= cat
/// <= last` is `code >= first AND code < last'` (last's final byte + 1).
pub fn chapter_sql(column: &str) -> String {
    let quoted = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let text = format!("CAST({column} AS VARCHAR)");
    let after = |last: &str| {
        let mut bytes = last.as_bytes().to_vec();
        if let Some(b) = bytes.last_mut() {
            *b += 1;
        }
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let ranges: Vec<String> = chapters()
        .iter()
        .map(|c| {
            format!(
                "WHEN {text} >= {} AND {text} < {} THEN {}",
                quoted(&c.first),
                quoted(&after(&c.last)),
                quoted(&c.chapter)
            )
        })
        .collect();
    let unknown = quoted(UNKNOWN);
    format!(
        "CASE WHEN {text} ~ '^[A-Z][0-9][0-9A-Z]' THEN CASE {} ELSE {unknown} END ELSE {unknown} END",
        ranges.join(" ")
    )
}

/// The plain-language name of a chapter range code, or `Unknown`.
pub fn chapter_name(chapter: &str) -> &'static str {
    chapters().iter().find(|c| c.chapter == chapter).map_or(UNKNOWN, |c| c.name.as_str())
}

/// SQL function `icd_chapter(icd_code)`: the chapter range code or `Unknown`.
pub fn icd_chapter_udf() -> ScalarUDF {
    create_udf(
        "icd_chapter",
        vec![DataType::Utf8],
        DataType::Utf8,
        Volatility::Immutable,
        Arc::new(|args: &[ColumnarValue]| {
            let arrays = ColumnarValue::values_to_arrays(args)?;
            let codes = as_string_array(&arrays[0])?;
            let mut out = StringBuilder::with_capacity(codes.len(), codes.len() * 7);
            for i in 0..codes.len() {
                let code = (!codes.is_null(i)).then(|| codes.value(i));
                out.append_value(chapter_code(code));
            }
            let result: ArrayRef = Arc::new(out.finish());
            Ok(ColumnarValue::Array(result))
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ships_22_chapters() {
        assert_eq!(chapters().len(), 22);
        assert_eq!(chapter_name("I00-I99"), "Heart and circulatory conditions");
    }

    #[test]
    fn chapter_membership_by_category_string() {
        assert_eq!(chapter_code(Some("E119")), "E00-E89");
        assert_eq!(chapter_code(Some("C7A00")), "C00-D49");
        assert_eq!(chapter_code(Some("D3A0")), "C00-D49");
        assert_eq!(chapter_code(Some("M1A0")), "M00-M99");
        assert_eq!(chapter_code(Some("O9A1")), "O00-O9A");
        assert_eq!(chapter_code(Some("Z3A20")), "Z00-Z99");
        assert_eq!(chapter_code(Some("U071")), "U00-U85");
        assert_eq!(chapter_code(Some("S0000")), "S00-T88");
        assert_eq!(chapter_code(Some("T8800")), "S00-T88");
        // FY2026 added QA0.x (since October 2025, chapter 17 is Q00-QA0).
        assert_eq!(chapter_code(Some("Q999")), "Q00-QA0");
        // The spec's category pattern [A-Z][0-9][0-9A-Z] still leaves QA0.x
        // out (a digit second); kept as the spec says until it changes.
        assert_eq!(chapter_code(Some("QA01")), UNKNOWN);
        // the gaps between chapters are Unknown
        for gap in
            ["D90", "D99", "E90", "E99", "F00", "H96", "H99", "K96", "K99", "P97", "P99", "T89", "T99", "U86", "U99"]
        {
            assert_eq!(chapter_code(Some(gap)), UNKNOWN, "{gap}");
        }
        // ICD-9 and junk
        for junk in ["25000", "UNK", "E1", "e119", "9"] {
            assert_eq!(chapter_code(Some(junk)), UNKNOWN, "{junk}");
        }
        assert_eq!(chapter_code(None), UNKNOWN);
    }

    /// `chapter_sql` run by DataFusion over every chapter's ends, the gaps,
    /// junk and generated codes gives `chapter_code`'s answer for each.
    #[test]
    fn the_sql_expression_agrees_with_chapter_code() {
        use datafusion::arrow::array::{AsArray, StringArray};
        use datafusion::arrow::compute::cast;
        use datafusion::arrow::datatypes::{Field, Schema};
        use datafusion::arrow::record_batch::RecordBatch;
        use datafusion::prelude::SessionContext;
        let mut codes: Vec<Option<String>> = vec![None];
        for c in chapters() {
            for end in [&c.first, &c.last] {
                codes.push(Some(end.clone()));
                codes.push(Some(format!("{end}9")));
            }
        }
        let fixed =
            ["E119", "C7A00", "D3A0", "O9A1", "QA01", "Q999", "D90", "T89", "U86", "25000", "UNK", "E1", "e119"];
        codes.extend(fixed.iter().map(|c| Some(c.to_string())));
        codes.extend(
            ["", "9", "É11", "EÉ1", "E1É", "A0", "Z99ZZ", "[00", "@00", "A:0", "A/0", "A0a", "A0@", "A0["]
                .map(|c| Some(c.into())),
        );
        // Every letter with digits and letters around the range ends.
        for letter in 'A'..='Z' {
            for second in ['0', '4', '9', 'A'] {
                for third in ['0', '9', 'A', 'Z', 'a'] {
                    codes.push(Some(format!("{letter}{second}{third}1")));
                }
            }
        }
        let array = StringArray::from(codes.clone());
        let schema = Arc::new(Schema::new(vec![Field::new("icd_code", DataType::Utf8, true)]));
        let batch = RecordBatch::try_new(schema, vec![Arc::new(array)]).unwrap();
        let ctx = SessionContext::new();
        ctx.register_batch("codes", batch).unwrap();
        let sql = format!("SELECT {} FROM codes", chapter_sql("icd_code"));
        let batches =
            crate::dataset::runtime::block_on(async { ctx.sql(&sql).await?.collect().await }).unwrap().unwrap();
        let got: Vec<String> = batches
            .iter()
            .flat_map(|b| {
                let column = cast(b.column(0), &DataType::Utf8).unwrap();
                column.as_string::<i32>().iter().map(|v| v.unwrap().to_string()).collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(got.len(), codes.len());
        for (code, chapter) in codes.iter().zip(&got) {
            assert_eq!(chapter, chapter_code(code.as_deref()), "{code:?}");
        }
    }
}
