//! File bytes to text: UTF-8, with a clear word for what Windows editors save instead.

/// Why bytes are not UTF-8 text, in the user's words, and where.
#[derive(Debug)]
pub(crate) struct NotUtf8 {
    message: String,
    /// The byte offset of the first byte that is not UTF-8, after a BOM
    /// (`None` for UTF-16, which is wrong from its first byte).
    pub(crate) at: Option<usize>,
    /// The bytes, BOM removed, so that the file can be shown as far as it goes.
    pub(crate) bytes: Vec<u8>,
}

impl std::fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for NotUtf8 {}

/// Decodes file bytes as UTF-8, naming the encoding Windows editors produce
/// when it is something else, and the line and column (in characters) of the
/// first byte that is not UTF-8.
pub(crate) fn decode(mut bytes: Vec<u8>) -> Result<String, NotUtf8> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let message = "文件是 UTF-16 编码，请另存为 UTF-8 编码（记事本：另存为 → 编码选 UTF-8）".to_owned();
        return Err(NotUtf8 { message, at: None, bytes });
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    // A build reads each narrative up to three times; std's check is slow on Han characters.
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: `bytes` was just found to be UTF-8.
        return Ok(unsafe { String::from_utf8_unchecked(bytes) });
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let (line, column) = line_column(&bytes, at);
        let byte = bytes[at];
        let message = if looks_like_gbk(&bytes) {
            format!(
                "文件看起来是 GBK/GB18030 编码（第 {line} 行第 {column} 列起），请另存为 UTF-8 编码（记事本：另存为 → 编码选 UTF-8）"
            )
        } else {
            format!("第 {line} 行第 {column} 列的字节 0x{byte:02X} 不是 UTF-8：文件不是 UTF-8 编码，请另存为 UTF-8 编码")
        };
        NotUtf8 { message, at: Some(at), bytes }
    })
}

/// The 1-based line and column, in characters, of byte `at`, all of whose
/// bytes before are UTF-8.
fn line_column(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at];
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    // UTF-8 up to `at`: a character is every byte but the continuation bytes.
    let column = before[line_start..].iter().filter(|&&b| b & 0xC0 != 0x80).count() + 1;
    (line, column)
}

/// GBK double-byte sequences: a lead byte 0x81–0xFE followed by 0x40–0xFE (not 0x7F).
fn looks_like_gbk(bytes: &[u8]) -> bool {
    let (mut pairs, mut i) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
        } else if (0x81..=0xFE).contains(&b)
            && bytes.get(i + 1).is_some_and(|&t| (0x40..=0xFE).contains(&t) && t != 0x7F)
        {
            pairs += 1;
            i += 2;
        } else {
            return false;
        }
    }
    pairs > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_is_recognised() {
        // "年度报告" in GBK.
        let gbk = vec![0xC4, 0xEA, 0xB6, 0xC8, 0xB1, 0xA8, 0xB8, 0xE6];
        assert!(decode(gbk).unwrap_err().to_string().contains("GBK"));
        assert!(decode(vec![0xFF, 0xFE, b'a', 0]).unwrap_err().to_string().contains("UTF-16"));
        assert_eq!(decode(b"\xEF\xBB\xBFtitle".to_vec()).unwrap(), "title");
    }

    #[test]
    fn plain_utf8_is_kept() {
        assert_eq!(decode("年度报告\r\n".as_bytes().to_vec()).unwrap(), "年度报告\r\n");
        assert!(decode(vec![b'a', 0xFF]).unwrap_err().to_string().contains("不是 UTF-8"));
    }

    #[test]
    fn the_first_bad_byte_is_placed_by_line_and_column() {
        // Every kind of byte that cannot start or continue UTF-8, after lines
        // of ASCII, Chinese and CRLF, with and without a BOM.
        for bad in [&[0xFF][..], &[0xC0, 0x80], &[0xE5, 0xB9], &[0x80], &[0xED, 0xA0, 0x80], &[0xF8]] {
            for bom in [&[][..], &[0xEF, 0xBB, 0xBF]] {
                let mut bytes = bom.to_vec();
                bytes.extend_from_slice("第一行\r\nsecond\n年度报告 ".as_bytes());
                bytes.extend_from_slice(bad);
                bytes.extend_from_slice(b"tail\n");
                let e = decode(bytes).unwrap_err();
                assert!(e.to_string().contains("第 3 行第 6 列"), "{bad:?}: {e}");
                assert_eq!(e.at, Some("第一行\r\nsecond\n年度报告 ".len()));
            }
        }
        let e = decode(b"\xFFabc".to_vec()).unwrap_err();
        assert!(e.to_string().contains("第 1 行第 1 列的字节 0xFF"), "{e}");
    }
}
