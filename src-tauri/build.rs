include!("../installers/build_info.rs");

fn main() {
    // VANTHU_COMMIT and VANTHU_BUILD_DATE for the version shown in Cài đặt (commands::app_info).
    emit_build_info();
    tauri_build::build()
}
