//! The statistics tables, written by code from the format's header trees.
//!
//! The tables have a fixed structure, so they are rendered here rather than
//! cell by cell in template loops: merged headers (rowspan/colspan) as in the
//! national format, `scope` on simple headers and `headers` on every data cell
//! so a screen reader announces a cell's row and column.

use std::fmt::Write;

use crate::format::{self, Block, Header, Table};
use crate::model::{Grid, Origin};

use crate::text::escape;

/// HTML for every block of a table, laid out and filled in at once (the
/// build lays out a [`TableTemplate`] once per site instead).
#[cfg(test)]
fn table_html(table: &Table, grids: &[Grid], id_prefix: &str, cell_prefix: &str, section_title: &str) -> String {
    TableTemplate::new(table, id_prefix, cell_prefix, section_title).render(grids)
}

/// A table's HTML with the figures left out: everything but the data cells'
/// classes and values is the same on every report page, so it is laid out
/// once per site and each page only fills in its figures. `id_prefix` names
/// the tables (`table-requests`, the targets of links); `cell_prefix` keeps
/// the header cells' ids unique on the page and short, since every data cell
/// lists them in `headers`.
pub(crate) struct TableTemplate {
    /// The HTML before each data cell's class, and after the last cell.
    parts: Vec<String>,
    /// Each data cell: its block, row and column, and its `headers`.
    cells: Vec<(usize, usize, usize, String)>,
}

impl TableTemplate {
    pub(crate) fn new(table: &Table, id_prefix: &str, cell_prefix: &str, section_title: &str) -> Self {
        let mut template = Self { parts: Vec::new(), cells: Vec::new() };
        let mut out = String::new();
        for (b, block) in table.blocks.iter().enumerate() {
            let (prefix, cells) = block_prefixes(table, b, id_prefix, cell_prefix);
            let caption = block.caption.unwrap_or(section_title);
            let ids = Ids { table: &prefix, cells: &cells };
            block_html(&mut out, block, ids, caption, block.caption.is_some(), &mut |out, r, c, headers| {
                template.parts.push(std::mem::take(out));
                template.cells.push((b, r, c, headers));
            });
        }
        template.parts.push(out);
        template
    }

    /// The table with `grids`' figures.
    pub(crate) fn render(&self, grids: &[Grid]) -> String {
        let size = self.parts.iter().map(String::len).sum::<usize>() + self.cells.len() * 24;
        let mut out = String::with_capacity(size);
        for (part, (b, r, c, headers)) in self.parts.iter().zip(&self.cells) {
            out.push_str(part);
            // Most cells are plain figures: only the exceptions carry a class.
            let cell = grids.get(*b).and_then(|g| g.get(*r, *c));
            out.push_str(match &cell {
                Some(cell) if cell.origin == Origin::Computed => " class=\"computed\"",
                Some(_) => "",
                None => " class=\"missing\"",
            });
            out.push_str(" headers=\"");
            out.push_str(headers);
            out.push_str("\">");
            if let Some(cell) = cell {
                let _ = write!(out, "{}", cell.value);
            }
        }
        out.push_str(self.parts.last().map_or("", String::as_str));
        out
    }
}

/// The id of block `b`'s table and the prefix of its header cells' ids.
fn block_prefixes(table: &Table, b: usize, id_prefix: &str, cell_prefix: &str) -> (String, String) {
    if table.blocks.len() == 1 {
        (id_prefix.to_owned(), cell_prefix.to_owned())
    } else {
        (format!("{id_prefix}-{}", b + 1), format!("{cell_prefix}-{}", b + 1))
    }
}

/// Every id [`TableTemplate`] gives the table's elements.
pub(crate) fn ids(table: &Table, id_prefix: &str, cell_prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (b, block) in table.blocks.iter().enumerate() {
        let (prefix, cells) = block_prefixes(table, b, id_prefix, cell_prefix);
        out.push(prefix);
        for (headers, along) in [(block.columns, "c"), (block.rows, "r")] {
            let l = layout(headers, &format!("{cells}{along}"), along == "c");
            out.extend(l.levels.into_iter().flatten().map(|cell| cell.id));
        }
    }
    out
}

/// The ids of one table block.
#[derive(Clone, Copy)]
struct Ids<'a> {
    table: &'a str,
    cells: &'a str,
}

/// One cell of a header row, laid out.
struct HeaderCell {
    id: String,
    label: &'static str,
    colspan: usize,
    rowspan: usize,
    leaf: bool,
}

/// Header trees laid out into rows, plus, for each leaf, the ids of the
/// header cells above (or beside) it.
struct Layout {
    levels: Vec<Vec<HeaderCell>>,
    leaf_headers: Vec<Vec<String>>,
}

fn layout(headers: &[Header], id_prefix: &str, along_columns: bool) -> Layout {
    let depth = format::depth(headers);
    let mut walker = Walker {
        depth,
        along_columns,
        prefix: id_prefix,
        counter: 0,
        ancestors: Vec::new(),
        layout: Layout { levels: (0..depth).map(|_| Vec::new()).collect(), leaf_headers: Vec::new() },
    };
    walker.walk(headers, 0);
    walker.layout
}

struct Walker<'a> {
    depth: usize,
    along_columns: bool,
    prefix: &'a str,
    counter: usize,
    ancestors: Vec<String>,
    layout: Layout,
}

impl Walker<'_> {
    fn walk(&mut self, nodes: &[Header], level: usize) {
        for node in nodes {
            self.counter += 1;
            let id = format!("{}{}", self.prefix, self.counter);
            let leaf = node.children.is_empty();
            let (across, down) = if leaf { (1, self.depth - level) } else { (format::leaf_count(node), 1) };
            let (colspan, rowspan) = if self.along_columns { (across, down) } else { (down, across) };
            self.layout.levels[level].push(HeaderCell { id: id.clone(), label: node.label, colspan, rowspan, leaf });
            self.ancestors.push(id);
            if leaf {
                self.layout.leaf_headers.push(self.ancestors.clone());
            } else {
                self.walk(node.children, level + 1);
            }
            self.ancestors.pop();
        }
    }
}

fn attr_span(out: &mut String, name: &str, n: usize) {
    if n > 1 {
        let _ = write!(out, " {name}=\"{n}\"");
    }
}

/// Writes a block's table; each data cell is left to `cell` (with its row,
/// column and `headers`), which writes from its class to its closing tag.
fn block_html(
    out: &mut String,
    block: &Block,
    ids: Ids<'_>,
    caption: &str,
    caption_visible: bool,
    cell: &mut dyn FnMut(&mut String, usize, usize, String),
) {
    let cols = layout(block.columns, &format!("{}c", ids.cells), true);
    let rows = layout(block.rows, &format!("{}r", ids.cells), false);
    let row_depth = format::depth(block.rows);
    let col_depth = cols.levels.len();

    let _ =
        write!(out, "<div class=\"table-scroll\" role=\"region\" aria-label=\"{}\" tabindex=\"0\">", escape(caption));
    let _ = write!(out, "<table class=\"stats\" id=\"{}\">", ids.table);
    let caption_class = if caption_visible { "" } else { " class=\"visually-hidden\"" };
    let _ = write!(out, "<caption{caption_class}>{}</caption><thead>", escape(caption));
    for (level, cells) in cols.levels.iter().enumerate() {
        out.push_str("<tr>");
        if level == 0 && row_depth > 0 {
            out.push_str("<td class=\"corner\"");
            attr_span(out, "colspan", row_depth);
            attr_span(out, "rowspan", col_depth);
            let _ = write!(out, ">{}</td>", escape(block.corner.unwrap_or("")));
        }
        for cell in cells {
            let scope = if cell.leaf { "col" } else { "colgroup" };
            let _ = write!(out, "<th id=\"{}\" scope=\"{scope}\"", cell.id);
            attr_span(out, "colspan", cell.colspan);
            attr_span(out, "rowspan", cell.rowspan);
            let _ = write!(out, ">{}</th>", escape(cell.label));
        }
        out.push_str("</tr>");
    }
    out.push_str("</thead><tbody>");

    // Row header cells, in the order they open: a group's cell sits in the row
    // of its first leaf.
    let mut row_cells = rows.levels.iter().map(|l| l.iter().peekable()).collect::<Vec<_>>();
    let mut row_ids = rows.leaf_headers.iter();
    for r in 0..block.row_leaves().len() {
        out.push_str("<tr>");
        let ids = row_ids.next().cloned().unwrap_or_default();
        for level_cells in row_cells.iter_mut() {
            if let Some(cell) = level_cells.next_if(|c| ids.contains(&c.id)) {
                let scope = if cell.leaf { "row" } else { "rowgroup" };
                let _ = write!(out, "<th id=\"{}\" scope=\"{scope}\"", cell.id);
                attr_span(out, "colspan", cell.colspan);
                attr_span(out, "rowspan", cell.rowspan);
                let _ = write!(out, ">{}</th>", escape(cell.label));
            }
        }
        for (c, col_ids) in cols.leaf_headers.iter().enumerate() {
            let headers: Vec<&str> = col_ids.iter().chain(&ids).map(String::as_str).collect();
            out.push_str("<td");
            cell(out, r, c, headers.join(" "));
            out.push_str("</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::FORMAT_2021;
    use crate::model::Figures;

    fn render(key: &str) -> String {
        let t = FORMAT_2021.table_ix(key).unwrap();
        let figures = Figures::empty(&FORMAT_2021);
        table_html(FORMAT_2021.table_at(t), figures.grids(t), key, &format!("t{}", t.index() + 1), "标题")
    }

    #[test]
    fn requests_header_is_merged_like_the_official_table() {
        let html = render("requests");
        assert!(html.contains("<td class=\"corner\" colspan=\"3\" rowspan=\"3\">（本列数据的勾稽关系为"), "{html}");
        assert!(html.contains("scope=\"colgroup\" colspan=\"7\">申请人情况</th>"));
        assert!(html.contains("scope=\"col\" rowspan=\"2\">自然人</th>"));
        assert!(html.contains("scope=\"colgroup\" colspan=\"5\">法人或其他组织</th>"));
        assert!(html.contains("scope=\"rowgroup\" rowspan=\"22\">三、本年度办理结果</th>"));
        assert!(html.contains("scope=\"rowgroup\" rowspan=\"8\">（三）不予公开</th>"));
        assert!(html.contains("scope=\"row\" colspan=\"3\">一、本年新收政府信息公开申请数量</th>"));
        assert!(html.contains("scope=\"row\" colspan=\"2\">（七）总计</th>"));
        assert_eq!(html.matches("<tr>").count(), 3 + 25);
    }

    #[test]
    fn every_data_cell_names_its_headers() {
        let html = render("requests");
        // Row 1 (本年新收), column 2 (商业企业): 申请人情况 › 法人或其他组织 › 商业企业, and the row header.
        assert!(html.contains("headers=\"t2c1 t2c3 t2c4 t2r1\""), "{html}");
        assert_eq!(html.matches(" headers=\"").count(), 25 * 7);
    }

    #[test]
    fn ids_lists_every_id_the_table_has() {
        for (t, table) in FORMAT_2021.tables_ix() {
            let html = render(table.key);
            let mut listed = ids(table, table.key, &format!("t{}", t.index() + 1));
            let mut found: Vec<String> =
                html.split(" id=\"").skip(1).map(|s| s[..s.find('"').unwrap()].to_owned()).collect();
            listed.sort();
            found.sort();
            assert_eq!(listed, found, "{}", table.key);
        }
    }

    #[test]
    fn appeals_is_one_row_of_fifteen() {
        let html = render("appeals");
        assert!(!html.contains("corner"));
        assert!(html.contains("scope=\"colgroup\" colspan=\"10\">行政诉讼</th>"));
        assert!(html.contains("scope=\"col\" rowspan=\"2\">结果维持</th>"));
        assert_eq!(html.matches(" headers=\"").count(), 15);
    }

    #[test]
    fn active_is_four_captioned_tables() {
        let html = render("active");
        assert_eq!(html.matches("<table").count(), 4);
        assert!(html.contains("<caption>第二十条第（八）项</caption>"));
        assert!(html.contains(">本年收费金额（单位：万元）</th>"));
    }
}
