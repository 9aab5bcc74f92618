#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wa_sim::fuzzing::sim_node(data));
