//! A cell's text as the parsers read it: trimmed of surrounding whitespace.

/// `str::trim` of a cell, without the Unicode search for cells that start
/// and end with a visible ASCII character (almost all: 14 cells a row).
pub(crate) fn trim_cell(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

/// Characters of a value echoed in a message before it is cut.
pub const ECHO_CHARS: usize = 200;

/// A value as an error message echoes it: whole up to [`ECHO_CHARS`]
/// characters, else its start and how much was left out (a 10 MB cell must
/// not make a 10 MB message).
pub fn echo(value: &str) -> String {
    match value.char_indices().nth(ECHO_CHARS) {
        None => value.to_string(),
        Some((cut, _)) => {
            let rest = value[cut..].chars().count();
            format!("{}… ({rest} more characters)", &value[..cut])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn long_values_are_echoed_cut() {
        assert_eq!(echo("short"), "short");
        let long = "é".repeat(205);
        assert_eq!(echo(&long), format!("{}… (5 more characters)", "é".repeat(200)));
    }

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
