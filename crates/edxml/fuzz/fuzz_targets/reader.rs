#![no_main]
//! Any bytes: the reader returns a message or an error, never panics, and what it reads
//! survives a write/read round trip.
use libfuzzer_sys::fuzz_target;
use vanthu_edxml::*;

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions {
        limits: Limits {
            max_attachment_size: 1 << 20,
            ..Default::default()
        },
        ..Default::default()
    };
    match read_message(data, &opts) {
        Ok(Message::Package(p)) => {
            let mut out = Vec::new();
            write_package(&mut out, &p.header, &mut [], Secrecy::Normal)
                .expect("a package the reader accepted can be written");
            let back = read_package(&out[..], &opts).expect("written package reads back");
            assert_eq!(back.header, p.header);
        }
        Ok(Message::Status(s)) => {
            let mut out = Vec::new();
            write_status(&mut out, &s.status).expect("status can be written");
            let back = read_status(&out[..], &opts).expect("written status reads back");
            assert_eq!(back.status, s.status);
        }
        Err(_) => {}
    }
});
