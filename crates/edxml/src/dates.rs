//! Date and timestamp formats (edxml.md §2.2): readers accept `yyyy/MM/dd`, `yyyy-MM-dd`,
//! `dd/MM/yyyy`, optional time, optional ISO-8601 offset, `+07:00` when no offset.
//! Writers emit the SDK forms exactly.
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

/// Vietnam time, the implied zone of every edXML timestamp without an offset.
pub fn vn_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("valid offset")
}

/// Now in Vietnam time, whole seconds (what the SDK timestamp form can carry).
pub fn now_vn() -> DateTime<FixedOffset> {
    let now = chrono::Utc::now().with_timezone(&vn_offset());
    now - chrono::Duration::nanoseconds(now.timestamp_subsec_nanos() as i64)
}

const DATE_FORMATS: &[&str] = &["%Y/%m/%d", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y%m%d"];

/// Reads a date in any of the accepted forms; a time part after `T` or a space is ignored.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let date_part = s.split(['T', ' ']).next().unwrap_or(s);
    DATE_FORMATS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(date_part, f).ok())
}

/// Reads a timestamp in any accepted form; without an offset it is taken as Vietnam time.
pub fn parse_timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt);
    }
    for f in [
        "%Y/%m/%d %H:%M:%S%:z",
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%dT%H:%M:%S%z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(s, f) {
            return Some(dt);
        }
    }
    const NAIVE: &[&str] = &[
        "%Y/%m/%d %H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%d/%m/%Y %H:%M:%S",
        "%d-%m-%Y %H:%M:%S",
        "%Y/%m/%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y/%m/%d %H:%M",
        "%d/%m/%Y %H:%M",
    ];
    let naive = NAIVE
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| parse_date(s).map(|d| d.and_time(NaiveTime::MIN)))?;
    vn_offset().from_local_datetime(&naive).single()
}

/// `yyyy/MM/dd`, the SDK form of a date element.
pub fn format_date(d: NaiveDate) -> String {
    d.format("%Y/%m/%d").to_string()
}

/// `yyyy/MM/dd HH:mm:ss` in Vietnam time (sub-seconds dropped, as the SDK does).
pub fn format_timestamp(t: &DateTime<FixedOffset>) -> String {
    t.with_timezone(&vn_offset())
        .format("%Y/%m/%d %H:%M:%S")
        .to_string()
}

/// ISO forms used in the CLI JSON.
pub fn iso_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// ISO-8601 with offset, as used in the CLI JSON.
pub fn iso_timestamp(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_forms() {
        let d = NaiveDate::from_ymd_opt(2019, 4, 11).unwrap();
        for s in [
            "2019/04/11",
            "2019-04-11",
            "11/04/2019",
            "2019-04-11T08:00:00+07:00",
        ] {
            assert_eq!(parse_date(s), Some(d), "{s}");
        }
        assert_eq!(parse_date("2014/02/30"), None);
        assert_eq!(parse_date("hôm qua"), None);
    }

    #[test]
    fn timestamp_without_zone_is_vietnam_time() {
        let t = parse_timestamp("2019/04/26 08:15:00").unwrap();
        assert_eq!(iso_timestamp(&t), "2019-04-26T08:15:00+07:00");
        let t = parse_timestamp("26/04/2019 08:15:00").unwrap();
        assert_eq!(iso_timestamp(&t), "2019-04-26T08:15:00+07:00");
    }

    #[test]
    fn timestamp_with_zone_keeps_instant() {
        let t = parse_timestamp("2019-04-26T01:15:00Z").unwrap();
        assert_eq!(format_timestamp(&t), "2019/04/26 08:15:00");
    }
}
