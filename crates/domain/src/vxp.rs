//! The wire conventions of the national axis's VXP API (the official SDKVXP 2.0.1 client),
//! shared by the hub that answers it and the desktop's transport that speaks it
//! (docs/national-axis.md §2): the request signature, the SDK's file hash and its timestamp.
use chrono::{FixedOffset, NaiveDateTime, TimeZone};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Vietnam's offset: the SDK formats its timestamp in the JVM's zone without saying which,
/// as edXML dates are; a correctly configured peer runs at +07:00.
fn vn() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("valid offset")
}

/// hex(HMAC-SHA256(secret, message)), as the SDK computes `XroadVnpt-hash-header`.
pub fn sign(secret: &str, message: &[u8]) -> String {
    hex::encode(mac(secret, message).finalize().into_bytes())
}

/// True when `hex_mac` is the HMAC of `message` under `secret` (constant-time comparison).
pub fn verify(secret: &str, message: &[u8], hex_mac: &str) -> bool {
    hex::decode(hex_mac.trim()).is_ok_and(|want| mac(secret, message).verify_slice(&want).is_ok())
}

fn mac(secret: &str, message: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(message);
    mac
}

/// The SDK's `hash-file`: SHA-256 with each byte in hex *without* its leading zero
/// (`Integer.toHexString(0xFF & b)`), so 0x0a is `a`. Kept as is: it is what every official
/// client sends.
pub fn sdk_file_hash(body: &[u8]) -> String {
    Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:x}"))
        .collect()
}

/// `ddMMyyyy'T'HHmmss+SSSS` (the `+SSSS` is milliseconds, not a zone) → epoch ms at +07:00.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let (clock, millis) = s.trim().split_once('+')?;
    let t = NaiveDateTime::parse_from_str(clock, "%d%m%YT%H%M%S").ok()?;
    let ms: i64 = millis.parse().ok()?;
    if !(0..1000).contains(&ms) {
        return None;
    }
    Some(vn().from_local_datetime(&t).single()?.timestamp_millis() + ms)
}

/// The SDK's timestamp for `at_ms`.
pub fn format_timestamp(at_ms: i64) -> String {
    let t = vn()
        .timestamp_millis_opt(at_ms)
        .single()
        .expect("valid time");
    format!(
        "{}+{:04}",
        t.format("%d%m%YT%H%M%S"),
        t.timestamp_subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_round_trip() {
        // 07/12/2026 11:45:30.123 at +07:00 = 04:45:30.123 UTC.
        let ms = parse_timestamp("07122026T114530+0123").unwrap();
        assert_eq!(ms, 1_796_618_730_123);
        assert_eq!(format_timestamp(ms), "07122026T114530+0123");
        assert_eq!(parse_timestamp("07122026T114530"), None);
        assert_eq!(parse_timestamp("07122026T114530+5000"), None);
    }

    #[test]
    fn sdk_hash_drops_leading_zeros() {
        // SHA-256("") starts e3 b0 c4 42 98 fc 1c 14 …: 0x0? bytes lose a digit.
        assert!(sdk_file_hash(b"").starts_with("e3b0c44298fc1c14"));
        // SHA-256("abc") = ba7816bf 8f01cfea … b410ff61 f20015ad.
        assert_eq!(
            sdk_file_hash(b"abc"),
            "ba7816bf8f1cfea414140de5dae2223b0361a396177a9cb410ff61f2015ad"
        );
    }

    #[test]
    fn hmac_known_answer() {
        // RFC 4231 test case 2.
        let mac = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(sign("Jefe", b"what do ya want for nothing?"), mac);
        assert!(verify("Jefe", b"what do ya want for nothing?", mac));
        assert!(!verify("Jefe", b"what do ya want for nothing!", mac));
        assert!(!verify("Jefe", b"what do ya want for nothing?", "zz"));
    }
}
