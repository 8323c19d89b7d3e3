//! Fuzzes the NDJSON readers (plain and gzip) on arbitrary bytes: no panic, no error on hostile
//! compressed data (it ends the input with one line instead), lines kept within the limit, and line
//! numbers counting up.
#![no_main]

use std::io::Cursor;

use ingest::NdjsonReader;
use libfuzzer_sys::fuzz_target;

const MAX_LINE: usize = 64;

fuzz_target!(|data: &[u8]| {
    let plain = NdjsonReader::from_reader("fuzz", Box::new(Cursor::new(data.to_vec())), MAX_LINE);
    let gz = NdjsonReader::from_gzip_reader("fuzz.gz", Box::new(Cursor::new(data.to_vec())), MAX_LINE);
    for (compressed, mut r) in [(false, plain), (true, gz)] {
        let mut last = 0;
        let mut total = 0u64;
        loop {
            match r.next_line() {
                Ok(Some(line)) => {
                    assert!(line.number > last);
                    last = line.number;
                    assert!(line.bytes.len() <= MAX_LINE);
                    assert!(line.len >= line.bytes.len() as u64);
                    total += line.len;
                    // Bound the work on inputs that decompress to a lot.
                    if total > 1 << 20 {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => panic!("reader failed on in-memory input (compressed: {compressed}): {e}"),
            }
        }
        if !compressed {
            assert!(r.stream_error().is_none());
            assert!(total <= data.len() as u64);
        }
    }
});
