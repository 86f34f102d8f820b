//! A cell's text as the parsers read it: trimmed of surrounding whitespace.

/// `str::trim` of a cell, without the Unicode search for cells that start
/// and end with a visible ASCII character (almost all: 14 cells a row).
pub(crate) fn trim_cell(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn trim_cell_is_str_trim(cell in "[ a\t\u{b}\u{a0}\u{3000}é.-]{0,6}") {
            prop_assert_eq!(trim_cell(&cell), cell.trim());
        }
    }

    #[test]
    fn trim_cell_trims_what_str_trim_trims() {
        for cell in ["", "a", " a", "a ", "\u{b}a", "a\u{3000}", "\u{a0}", "é ", " é", "-1.00", "x y"] {
            assert_eq!(trim_cell(cell), cell.trim(), "{cell:?}");
        }
    }
}
