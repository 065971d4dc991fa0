//! Finding and binding libpdfium.
//!
//! Lookup order: `$VANTHU_PDFIUM` (path to the library file, or a folder holding it), folders
//! registered with [`add_library_dir`] (the app registers its resource folder), the folder of the
//! running executable (the Windows installer puts pdfium.dll beside vanthu.exe), `../lib/vanthu`
//! from it (the deb's `/usr/bin/vanthu` → `/usr/lib/vanthu/libpdfium.so`), then the system
//! library path.
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use pdfium_render::prelude::*;

use crate::error::PdfError;

static EXTRA_DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Registers another folder to look for libpdfium in (before the executable's folder).
/// Only effective before the first document is opened.
pub fn add_library_dir(dir: impl Into<PathBuf>) {
    EXTRA_DIRS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(dir.into());
}

/// The file name of the library on this platform (`libpdfium.so`, `pdfium.dll`, `libpdfium.dylib`).
pub fn library_file_name() -> String {
    Pdfium::pdfium_platform_library_name()
        .to_string_lossy()
        .into_owned()
}

fn load_error(path: &Path, err: PdfiumError) -> PdfError {
    PdfError::LibraryLoad {
        path: path.display().to_string(),
        reason: format!("{err:?}"),
    }
}

/// Binds the library; called once, on the render worker thread.
pub(crate) fn bind() -> Result<(Box<dyn PdfiumLibraryBindings>, String), PdfError> {
    let name = library_file_name();
    let mut tried = Vec::new();

    if let Some(env) = std::env::var_os("VANTHU_PDFIUM").filter(|v| !v.is_empty()) {
        let mut path = PathBuf::from(env);
        if path.is_dir() {
            path = path.join(&name);
        }
        // An explicit setting that points nowhere is a configuration mistake: say so instead of
        // silently picking up some other pdfium build.
        if !path.is_file() {
            return Err(PdfError::LibraryMissing {
                tried: format!("VANTHU_PDFIUM={} (no such file)", path.display()),
            });
        }
        return Pdfium::bind_to_library(&path)
            .map(|b| (b, path.display().to_string()))
            .map_err(|e| load_error(&path, e));
    }

    let mut dirs: Vec<PathBuf> = EXTRA_DIRS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
    {
        let fhs = exe_dir.join("../lib/vanthu");
        dirs.push(exe_dir);
        dirs.push(fhs);
    }
    for dir in dirs {
        let path = dir.join(&name);
        if path.is_file() {
            return Pdfium::bind_to_library(&path)
                .map(|b| (b, path.display().to_string()))
                .map_err(|e| load_error(&path, e));
        }
        tried.push(path.display().to_string());
    }

    match Pdfium::bind_to_system_library() {
        Ok(b) => Ok((b, format!("{name} (system library path)"))),
        Err(_) => {
            tried.push(format!("{name} in the system library path"));
            Err(PdfError::LibraryMissing {
                tried: tried.join(", "),
            })
        }
    }
}
