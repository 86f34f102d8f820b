#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| claimscope::tools::fuzzing::load(data));
