//! The README's Rust example is the crate's front-door doctest (which runs
//! it on tests/golden/basic): the two must not drift apart.

// Helpers outside #[test] functions may unwrap too: a failed assumption fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn readme_rust_example_is_the_lib_doctest() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../README.md")).unwrap();
    let start = readme.find("```rust\n").expect("README has a ```rust block") + "```rust\n".len();
    let block: Vec<&str> = readme[start..].split("\n```").next().unwrap().lines().collect();

    let lib = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    let doc: Vec<&str> =
        lib.lines().filter_map(|l| l.strip_prefix("//!")).map(|l| l.strip_prefix(' ').unwrap_or(l)).collect();
    let open = doc.iter().position(|l| *l == "```").unwrap();
    let close = open + 1 + doc[open + 1..].iter().position(|l| *l == "```").unwrap();
    // Lines starting with `# ` are hidden in the docs: set-up and checks.
    let visible: Vec<&str> = doc[open + 1..close].iter().copied().filter(|l| !l.starts_with("# ")).collect();
    assert_eq!(visible, block);
}
