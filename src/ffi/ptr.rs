//! Checked conversions of raw pointers coming from the host.

use std::ffi::c_char;

use super::abi::{QBM_WC_MAX_INPUT_BYTES, qbm_wc_buffer, qbm_wc_status, qbm_wc_str};
use super::boundary::FfiError;

/// Borrows the UTF-8 text of a string view.
///
/// # Safety
/// When `view.ptr` is not NULL it must point to `view.len` readable bytes that stay valid and
/// unchanged for the returned lifetime.
pub unsafe fn str_from<'a>(view: qbm_wc_str, what: &str) -> Result<&'a str, FfiError> {
    if view.len == 0 {
        return Ok("");
    }
    if view.ptr.is_null() {
        return Err(FfiError::new(
            qbm_wc_status::QBM_WC_STATUS_NULL_ARGUMENT,
            format!(
                "{what}: the string pointer is NULL but its length is {}",
                view.len
            ),
        ));
    }
    if view.len > QBM_WC_MAX_INPUT_BYTES {
        return Err(FfiError::new(
            qbm_wc_status::QBM_WC_STATUS_INPUT_TOO_LARGE,
            format!(
                "{what}: {} bytes is more than the {} bytes the plugin accepts",
                view.len, QBM_WC_MAX_INPUT_BYTES
            ),
        ));
    }
    // SAFETY: non-NULL and `len` readable bytes, guaranteed by the caller.
    let bytes = unsafe { std::slice::from_raw_parts(view.ptr.cast::<u8>(), view.len) };
    std::str::from_utf8(bytes).map_err(|err| {
        FfiError::new(
            qbm_wc_status::QBM_WC_STATUS_INVALID_UTF8,
            format!("{what}: not valid UTF-8 ({err})"),
        )
    })
}

/// Returns `Err(NULL_ARGUMENT)` naming `what` when `ptr` is NULL.
pub fn non_null<T>(ptr: *const T, what: &str) -> Result<(), FfiError> {
    if ptr.is_null() {
        Err(FfiError::new(
            qbm_wc_status::QBM_WC_STATUS_NULL_ARGUMENT,
            format!("{what} is NULL"),
        ))
    } else {
        Ok(())
    }
}

/// Hands `text` to the host through `out` (NUL-terminated, released by `buffer_free`).
///
/// # Safety
/// `out` must be NULL-checked already and point to writable memory for a `qbm_wc_buffer`.
pub unsafe fn write_buffer(out: *mut qbm_wc_buffer, text: String) {
    let mut bytes = text.into_bytes();
    let len = bytes.len();
    bytes.push(0);
    let boxed: Box<[u8]> = bytes.into_boxed_slice();
    let ptr = Box::into_raw(boxed).cast::<c_char>();
    // SAFETY: `out` is valid for writes, guaranteed by the caller.
    unsafe { out.write(qbm_wc_buffer { ptr, len }) };
}

/// Releases a buffer made by [`write_buffer`] and zeroes it.
///
/// # Safety
/// `buffer` must be NULL or point to a `qbm_wc_buffer` that is zeroed or was filled by
/// [`write_buffer`] and not released since.
pub unsafe fn free_buffer(buffer: *mut qbm_wc_buffer) {
    if buffer.is_null() {
        return;
    }
    // SAFETY: valid for reads and writes, guaranteed by the caller.
    let current = unsafe { &mut *buffer };
    if !current.ptr.is_null() {
        let slice = std::ptr::slice_from_raw_parts_mut(current.ptr.cast::<u8>(), current.len + 1);
        // SAFETY: `ptr`/`len + 1` are exactly the boxed slice leaked by `write_buffer`.
        drop(unsafe { Box::from_raw(slice) });
    }
    current.ptr = std::ptr::null_mut();
    current.len = 0;
}

/// Copies `message` NUL-terminated into the caller's buffer, truncating at a character boundary.
///
/// # Safety
/// `buf` must be NULL or point to `cap` writable bytes; `out_len` must be NULL or writable.
pub unsafe fn copy_message(
    message: &str,
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> qbm_wc_status {
    if !out_len.is_null() {
        // SAFETY: checked non-NULL; writable, guaranteed by the caller.
        unsafe { out_len.write(message.len()) };
    }
    if buf.is_null() && cap > 0 {
        return qbm_wc_status::QBM_WC_STATUS_NULL_ARGUMENT;
    }
    if buf.is_null() || cap == 0 {
        // A length-only query: the host learns the size it needs.
        return if message.is_empty() {
            qbm_wc_status::QBM_WC_STATUS_OK
        } else {
            qbm_wc_status::QBM_WC_STATUS_BUFFER_TOO_SMALL
        };
    }
    let mut fit = message.len().min(cap - 1);
    while !message.is_char_boundary(fit) {
        fit -= 1;
    }
    // SAFETY: `buf` has `cap > fit` writable bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(message.as_ptr(), buf.cast::<u8>(), fit);
        buf.add(fit).write(0);
    }
    if fit < message.len() {
        qbm_wc_status::QBM_WC_STATUS_BUFFER_TOO_SMALL
    } else {
        qbm_wc_status::QBM_WC_STATUS_OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(bytes: &[u8]) -> qbm_wc_str {
        qbm_wc_str {
            ptr: bytes.as_ptr().cast(),
            len: bytes.len(),
        }
    }

    #[test]
    fn views_are_checked() {
        // SAFETY: the views point at live slices or are NULL with the stated lengths.
        unsafe {
            assert_eq!(str_from(view(b"abc"), "x").unwrap(), "abc");
            assert_eq!(
                str_from(view(&[0xff, 0xfe]), "x").unwrap_err().status,
                qbm_wc_status::QBM_WC_STATUS_INVALID_UTF8
            );
            let null = qbm_wc_str {
                ptr: std::ptr::null(),
                len: 3,
            };
            assert_eq!(
                str_from(null, "x").unwrap_err().status,
                qbm_wc_status::QBM_WC_STATUS_NULL_ARGUMENT
            );
            let empty = qbm_wc_str {
                ptr: std::ptr::null(),
                len: 0,
            };
            assert_eq!(str_from(empty, "x").unwrap(), "");
        }
    }

    #[test]
    fn buffers_round_trip_and_zero_on_free() {
        let mut buf = qbm_wc_buffer {
            ptr: std::ptr::null_mut(),
            len: 0,
        };
        // SAFETY: `buf` is a live, zeroed buffer; it is filled once and freed once.
        unsafe {
            write_buffer(&mut buf, "héllo".to_string());
            assert_eq!(buf.len, 6);
            let c = std::ffi::CStr::from_ptr(buf.ptr);
            assert_eq!(c.to_str().unwrap(), "héllo");
            free_buffer(&mut buf);
            free_buffer(&mut buf);
        }
        assert!(buf.ptr.is_null());
    }

    #[test]
    fn messages_truncate_on_char_boundaries() {
        let mut small = [0 as c_char; 4];
        let mut len = 0usize;
        // SAFETY: `small` has 4 writable bytes and `len` is writable.
        let status = unsafe { copy_message("héllo", small.as_mut_ptr(), small.len(), &mut len) };
        assert_eq!(status, qbm_wc_status::QBM_WC_STATUS_BUFFER_TOO_SMALL);
        assert_eq!(len, 6);
        // SAFETY: copy_message NUL-terminated the buffer.
        let text = unsafe { std::ffi::CStr::from_ptr(small.as_ptr()) };
        assert_eq!(text.to_str().unwrap(), "hé");
    }
}
