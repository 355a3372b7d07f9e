//! CSV text as spreadsheet software must read it: UTF-8 after a byte-order
//! mark, fields quoted only when they must be (RFC 4180), and text that would
//! start a formula defused. Numbers are written apart, never through here.

use std::borrow::Cow;

/// The UTF-8 byte-order mark, without which Excel and WPS take a CSV file for
/// the local code page and show its Chinese as mojibake.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Characters that make a spreadsheet read a cell as a formula (or, tab and
/// carriage return, that some strip before looking for one).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text field as a spreadsheet must show it: one that would start a formula
/// gets a leading `'`, which Excel, WPS and LibreOffice read as "text".
fn defuse(field: &str) -> Cow<'_, str> {
    if field.starts_with(FORMULA_START) { Cow::Owned(format!("'{field}")) } else { Cow::Borrowed(field) }
}

/// Appends a text field, defused (see [`defuse`]) and quoted when it must be.
pub(crate) fn push_text(out: &mut String, field: &str) {
    let field = defuse(field);
    if field.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&field);
    }
}

/// Text fields joined by commas, each as [`push_text`] writes it; no newline.
pub(crate) fn line<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_text(&mut out, field);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_when_they_must_be() {
        assert_eq!(
            line(["a", "b,c", "say \"hi\"", "two\nlines", "（一）"]),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",（一）"
        );
    }

    #[test]
    fn every_formula_start_is_defused() {
        for c in FORMULA_START {
            let field = format!("{c}1+1");
            assert_eq!(defuse(&field), format!("'{field}"), "{c:?}");
        }
        // Quoted after the guard when the text needs quoting: the `'` sits inside the quotes.
        assert_eq!(line(["=HYPERLINK(\"http://x\",\"点击\")"]), "\"'=HYPERLINK(\"\"http://x\"\",\"\"点击\"\")\"");
        assert_eq!(line(["-2+3", "@SUM(A1)", "\r=1"]), "'-2+3,'@SUM(A1),\"'\r=1\"");
        assert_eq!(line(["\t=1", "+86"]), "'\t=1,'+86");
    }

    #[test]
    fn safe_text_is_unchanged() {
        for field in ["临朐县冶源街道办事处", "（一）主动公开", "a=b", "x-y", "1+1", "", "'=already", " =1", "２０２４"]
        {
            assert_eq!(defuse(field), field);
        }
    }
}
