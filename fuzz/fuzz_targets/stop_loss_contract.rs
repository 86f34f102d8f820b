#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| claimscope::tools::fuzzing::stop_loss_contract(data));
