#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wa_proto::fuzzing::pair_inputs(data));
