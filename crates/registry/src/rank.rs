//! `vanthu_rank(doc_fts)`: the search ranking, an FTS5 auxiliary function registered on every
//! connection. It is FTS5's bm25 (k1 = 1.2, b = 0.75, column weights notation 8, subject 4,
//! sender 2, signer 2, body 1) with every word's IDF taken as 1. FTS5's bm25 computes each word's
//! IDF by reading the word's whole doclist — at 1M documents most of a search's time for
//! common words, whatever the window. A search requires every word (AND), so each hit holds all
//! of them and IDF only reweights their frequencies against each other; dropping it keeps the
//! ranking meaningful (more and better-placed occurrences in a shorter entry rank higher) and
//! makes its cost independent of the register's size. Smaller is better, like bm25.
use std::os::raw::{c_char, c_int, c_void};
use std::ptr;

use rusqlite::{ffi, Connection};

use crate::Result;

/// Column weights in `doc_fts` column order.
const WEIGHTS: [f64; 5] = [8.0, 4.0, 2.0, 2.0, 1.0];
const K1: f64 = 1.2;
const B: f64 = 0.75;

fn sqlite_error(rc: c_int, what: &str) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), Some(what.to_string()))
}

/// Registers `vanthu_rank` on `conn`.
pub(crate) fn register(conn: &Connection) -> Result<()> {
    // SAFETY: the statement and the fts5_api pointer are used only while `conn` is open and on
    // this thread; `fts5(?1)` writes the API pointer through the bound pointer (the documented
    // way to obtain it), and the function is registered without user data or destructor.
    unsafe {
        let db = conn.handle();
        let mut stmt: *mut ffi::sqlite3_stmt = ptr::null_mut();
        let sql = c"SELECT fts5(?1)";
        let rc = ffi::sqlite3_prepare_v2(db, sql.as_ptr(), -1, &mut stmt, ptr::null_mut());
        if rc != ffi::SQLITE_OK {
            return Err(sqlite_error(rc, "fts5 api").into());
        }
        let mut api: *mut ffi::fts5_api = ptr::null_mut();
        ffi::sqlite3_bind_pointer(
            stmt,
            1,
            &mut api as *mut *mut ffi::fts5_api as *mut c_void,
            c"fts5_api_ptr".as_ptr(),
            None,
        );
        ffi::sqlite3_step(stmt);
        ffi::sqlite3_finalize(stmt);
        let Some(create) = api.as_ref().and_then(|a| a.xCreateFunction) else {
            return Err(sqlite_error(ffi::SQLITE_ERROR, "no fts5 api").into());
        };
        let name: *const c_char = c"vanthu_rank".as_ptr();
        let rc = create(api, name, ptr::null_mut(), Some(vanthu_rank), None);
        if rc != ffi::SQLITE_OK {
            return Err(sqlite_error(rc, "register vanthu_rank").into());
        }
    }
    Ok(())
}

unsafe extern "C" fn vanthu_rank(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    ctx: *mut ffi::sqlite3_context,
    _n: c_int,
    _args: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: FTS5 calls this with a valid API table and context for the current row.
    match unsafe { score(&*api, fts) } {
        Ok(s) => unsafe { ffi::sqlite3_result_double(ctx, s) },
        Err(rc) => unsafe { ffi::sqlite3_result_error_code(ctx, rc) },
    }
}

unsafe fn score(api: &ffi::Fts5ExtensionApi, fts: *mut ffi::Fts5Context) -> Result<f64, c_int> {
    let ok = |rc: c_int| {
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(rc)
        }
    };
    let missing = ffi::SQLITE_MISUSE;
    let (inst_count, inst, phrases, col_size, rows, total) = (
        api.xInstCount.ok_or(missing)?,
        api.xInst.ok_or(missing)?,
        api.xPhraseCount.ok_or(missing)?,
        api.xColumnSize.ok_or(missing)?,
        api.xRowCount.ok_or(missing)?,
        api.xColumnTotalSize.ok_or(missing)?,
    );
    unsafe {
        let n_phrase = phrases(fts).max(0) as usize;
        let mut freq = vec![0.0f64; n_phrase];
        let mut n_inst = 0;
        ok(inst_count(fts, &mut n_inst))?;
        for i in 0..n_inst {
            let (mut p, mut c, mut o) = (0, 0, 0);
            ok(inst(fts, i, &mut p, &mut c, &mut o))?;
            if let (Some(f), Some(w)) = (freq.get_mut(p as usize), WEIGHTS.get(c as usize)) {
                *f += w;
            }
        }
        let (mut len, mut n_rows, mut n_tokens) = (0, 0i64, 0i64);
        ok(col_size(fts, -1, &mut len))?;
        ok(rows(fts, &mut n_rows))?;
        ok(total(fts, -1, &mut n_tokens))?;
        let avg = if n_rows > 0 && n_tokens > 0 {
            n_tokens as f64 / n_rows as f64
        } else {
            1.0
        };
        let norm = K1 * (1.0 - B + B * f64::from(len) / avg);
        let s: f64 = freq.iter().map(|&f| f * (K1 + 1.0) / (f + norm)).sum();
        Ok(-s)
    }
}
