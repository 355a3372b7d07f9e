//! File bytes to text: UTF-8, with a clear word for what Windows editors save instead.

/// Decodes file bytes as UTF-8, naming the encoding Windows editors produce
/// when it is something else.
pub(crate) fn decode(mut bytes: Vec<u8>) -> Result<String, String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err("文件是 UTF-16 编码，请另存为 UTF-8 编码（记事本：另存为 → 编码选 UTF-8）".to_owned());
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.into_bytes();
        if looks_like_gbk(&bytes) {
            "文件看起来是 GBK/GB18030 编码，请另存为 UTF-8 编码（记事本：另存为 → 编码选 UTF-8）".to_owned()
        } else {
            "文件不是 UTF-8 编码，请另存为 UTF-8 编码".to_owned()
        }
    })
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
        assert!(decode(gbk).unwrap_err().contains("GBK"));
        assert!(decode(vec![0xFF, 0xFE, b'a', 0]).unwrap_err().contains("UTF-16"));
        assert_eq!(decode(b"\xEF\xBB\xBFtitle".to_vec()).unwrap(), "title");
    }

    #[test]
    fn plain_utf8_is_kept() {
        assert_eq!(decode("年度报告\r\n".as_bytes().to_vec()).unwrap(), "年度报告\r\n");
        assert!(decode(vec![b'a', 0xFF]).unwrap_err().contains("不是 UTF-8"));
    }
}
