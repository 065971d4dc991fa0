//! `vanthu sync alerts`: the sender's view of what became of each sent document.
use chrono::{Local, TimeZone};
use vanthu_sync::alerts::overdue;
use vanthu_sync::SyncState;

fn when(ms: i64) -> String {
    Local
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%H:%M %d/%m/%Y").to_string())
        .unwrap_or_default()
}

pub fn run(
    state: &SyncState,
    all: bool,
    after_hours: Option<u32>,
    json: bool,
) -> anyhow::Result<()> {
    if let Some(h) = after_hours {
        anyhow::ensure!(
            h > 0,
            "--after-hours phải lớn hơn 0 / --after-hours must be > 0"
        );
        state.set_overdue_hours(h)?;
    }
    let hours = state.overdue_hours()?;
    let statuses = state.recipient_statuses(vanthu_sync::state::now_ms())?;
    let rows = if all { statuses } else { overdue(statuses) };
    if json {
        println!(
            "{}",
            serde_json::json!({ "overdue_hours": hours, "recipients": rows })
        );
        return Ok(());
    }
    if rows.is_empty() {
        println!(
            "Không có cảnh báo (ngưỡng {hours} giờ) / no overdue recipients (threshold {hours} h)"
        );
        return Ok(());
    }
    println!("Gửi lúc\tĐơn vị nhận\tTrạng thái mới nhất\tCảnh báo\tGói tin");
    for r in rows {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            when(r.sent_ms),
            r.recipient,
            match (&r.latest_code, &r.latest_label) {
                (Some(c), Some(l)) => format!("{c} {l}"),
                _ => "—".to_owned(),
            },
            r.alert
                .map(|a| format!("{} quá {hours} giờ", a.label_vi()))
                .unwrap_or_default(),
            r.message_id
        );
    }
    Ok(())
}
