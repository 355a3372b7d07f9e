//! `portal explain CODE`: what a rule or diagnostic code means, with an
//! example and what to do, in Chinese, like `rustc --explain`. The codes are
//! those of `docs/check.md` and `docs/links.md` (`tests/cli.rs` holds the two
//! together).

use std::process::ExitCode;

/// 显示规则或诊断代码的详细解释和示例，例如 portal explain R3、portal explain missing-row
#[derive(clap::Args)]
pub(crate) struct Args {
    /// 诊断信息方括号中的代码，例如 R3、date、link；不写则列出全部代码
    #[arg(value_name = "代码")]
    code: Option<String>,
}

/// Prints the explanation, or every code when none is given.
pub(crate) fn execute(args: Args) -> ExitCode {
    let Some(code) = args.code else {
        println!("可以解释的代码（portal explain 代码）：");
        for (codes, text) in EXPLANATIONS {
            println!("  {:<36} {}", codes.join("、"), text.lines().next().unwrap_or(""));
        }
        return ExitCode::SUCCESS;
    };
    let wanted = code.trim().trim_matches(['[', ']']);
    match find(wanted) {
        Some(text) => {
            println!("{wanted}：{text}");
            ExitCode::SUCCESS
        }
        None => {
            let all: Vec<&str> = EXPLANATIONS.iter().flat_map(|(c, _)| c.iter().copied()).collect();
            let near = all.iter().find(|c| c.eq_ignore_ascii_case(wanted) || c.starts_with(wanted));
            let hint = near.map_or(String::new(), |c| format!("是否想写 {c}？"));
            eprintln!("错误：没有代码“{wanted}”。{hint}不带代码运行 portal explain 可以列出全部代码");
            ExitCode::FAILURE
        }
    }
}

/// The explanation of `code` (case of R1–R8 ignored).
fn find(code: &str) -> Option<&'static str> {
    EXPLANATIONS.iter().find(|(codes, _)| codes.iter().any(|c| c.eq_ignore_ascii_case(code))).map(|(_, t)| *t)
}

/// Codes and their explanation; the first line is the summary `portal explain` lists.
const EXPLANATIONS: &[(&[&str], &str)] = &[
    (&["R1"], "表三总数关系：一 + 二 = （七）总计 + 四（错误）

表三的每一列（自然人、法人或其他组织的各类、总计）都要满足：
“一、本年新收政府信息公开申请数量” + “二、上年结转政府信息公开申请数量”
= “三、本年度办理结果”中的“（七）总计” + “四、结转下年度继续办理”。
也就是说，今年要办的申请，要么今年办完了，要么结转到明年。

例如：自然人一列新收 46 件、上年结转 2 件，办结总计 45 件、结转下年 2 件：46 + 2 = 48，而 45 + 2 = 47，相差 1 件。

怎么改：核对这一列的四个数字，通常是某一项办理结果漏填或多填了一件。"),
    (&["R2"], "表三横向合计：总计 = 各类申请人之和（错误）

表三的每一行，“总计”一列应等于自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他六列之和。

例如：“一、本年新收政府信息公开申请数量”一行，自然人 40、商业企业 4、其他 2，总计却写了 45（应为 46）。

怎么改：重新相加这一行，改正总计或改正填错的那一格。"),
    (&["R3"], "表三办理结果合计：（七）总计 = （一）至（六）各项之和（错误）

表三“三、本年度办理结果”中，每一列的“（七）总计”应等于（一）予以公开、（二）部分公开，以及（三）不予公开、（四）无法提供、（五）不予处理、（六）其他处理下面每一小项之和。

例如：自然人一列，予以公开 20、部分公开 5、不予公开下各项共 3、无法提供下各项共 10、不予处理 2、其他处理 5，合计 45，而（七）总计写了 44。

怎么改：消息指出是哪一列；逐项相加这一列，找出漏填或多填的一格。"),
    (&["R4"], "表四合计：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结（错误）

表四的行政复议、未经复议直接起诉、复议后起诉三部分，各自的“总计”应等于结果维持、结果纠正、其他结果、尚未审结之和。

例如：行政复议结果维持 1、结果纠正 1、其他结果 0、尚未审结 0，总计写了 3（应为 2）。

怎么改：核对这一部分的五个数字。"),
    (&["R5"], "数字的类型和范围（错误）

件数必须是不小于 0 的整数；收取费用（万元）是不小于 0 的小数，最多 6 位小数。写错的地方会被指出，例如多了字母、写成了负数或带了单位。

例如：data.toml 中写成 licensing = [1x38, 0] 或 \"38件\"。

怎么改：只写数字，例如 licensing = [138, 0]；不要加引号或单位。"),
    (&["R6"], "跨年度衔接：今年的“二、上年结转”= 上一年的“四、结转下年度继续办理”（错误）

表三今年的“二、上年结转政府信息公开申请数量”每一列，应等于上一年度报告中“四、结转下年度继续办理”的同一列。

例如：2023 年度报告写结转下年 2 件，2024 年度报告的上年结转却写了 0。

怎么改：按上一年度报告改正今年的“上年结转”；如果是上一年的数字写错了而报告已经按原样公布，可以在上一年的 data.toml 中用 [[waivers]] 说明原因。"),
    (&["R7"], "现行有效件数的衔接：今年 = 上年 + 本年制发 − 本年废止（警告）

表二中规章和行政规范性文件的“现行有效件数”，一般等于上一年的现行有效件数加本年制发件数、减本年废止件数。集中清理旧文件时可能不相等，所以只是警告。

例如：上年现行有效 30 件，本年制发 5 件、废止 2 件，今年现行有效却写了 35（按公式应为 33）。

怎么改：核对表二；确因清理等原因不相等的，可以在 data.toml 中用 [[waivers]] 写明原因。"),
    (&["R8"], "正文“一、总体情况”中写的数字与表格不一致（警告）

“一、总体情况”中写到的数字（例如“全年共收到政府信息公开申请46件”）会与表三等表格中对应的一格比较。

例如：正文写“申请共计27件”，表三“一、本年新收政府信息公开申请数量”总计却是 26。

怎么改：以表格为准改正文，或改正表格中的数字，使两处一致。"),
    (&["summary"], "汇总报告与成员机构之和不一致（错误或警告）

汇总（乡镇、县级、市级、省级汇总）报告手工填写的每一格，应等于各成员机构同一格之和。成员机构写错、成员列表中有不存在的文件夹、汇总互相包含成环，都是错误；汇总没有成员是警告。

例如：县级汇总表二“行政许可 本年处理决定数量”填写 25，成员机构合计为 23。

怎么改：核对成员机构的报告和汇总的数字；汇总报告已按原样公布的，可用 [[waivers]] rule = \"summary\" 写明原因。"),
    (&["encoding"], "文件不是 UTF-8 编码（错误）

所有文件都必须保存为 UTF-8。Windows 上的记事本、WPS 等有时会存成 GBK（GB18030）或 UTF-16，消息会说明看起来是哪一种，并指出第一个不是 UTF-8 的位置。文件名也必须能用 UTF-8 表示。

例如：用记事本“另存为 ANSI”保存的 report.md。

怎么改：用记事本或其他编辑器“另存为”，编码选择 UTF-8。"),
    (&["toml"], "TOML 语法错误（错误）

site.toml、agency.toml、data.toml 和 report.md 的 +++ 元数据都是 TOML 格式。消息用中文解释错误，并在备注中附上解析器的原话。

例如：文字没有用英文双引号括起来：name = 示例局（应为 name = \"示例局\"）；或用了中文引号“”。

怎么改：按消息指出的行和列改正；文字用英文双引号，数字不加引号。"),
    (&["unknown-key"], "不认识的设置项（错误）

文件中出现了格式没有规定的键名，通常是拼写错误；相近的键名会给出“是否想写 …？”的提示。

例如：agency.toml 中写了 shortname = \"冶源街道\"（应为 short_name）。

怎么改：按提示改正键名，或删除这一项。"),
    (&["missing-row", "missing-table", "missing-key"], "缺少必填的行、表或设置（错误）

data.toml 中表格的每一行、每个表，以及 site.toml 等文件中的必填项都必须写出：缺少的数字不会被当作 0。

例如：data.toml 中删掉了 carried_over = [...] 这一行。

怎么改：补上这一行或这一项；数字确实是 0 的也要写 0。portal new 生成的 data.toml 中每一行都已写好。"),
    (&["empty"], "必填的文字是空的（错误）

必填的文字写了但内容为空（或只有空格），会在网站上显示成空标题或空的页脚行：site.toml 的 title 和页脚的主办单位、网站标识码、ICP 备案号、公安备案号；agency.toml 的 name；report.md 的 title 和 signed_by。

例如：signed_by = \"\"。

怎么改：写上实际内容。"),
    (&["cells"], "一行的格数不对（错误）

data.toml 中每一行的数字个数要与表格的列数一致；备注会按顺序列出各列的名称。

例如：表三一行需要 7 个数字（自然人、五类法人或其他组织、总计），只写了 6 个。

怎么改：按备注中列出的顺序补齐或删掉多余的数字。"),
    (&["type"], "值的类型不对（错误）

设置项的值类型与要求不符，例如日期加了引号以外的内容、需要文字的地方写了数字。

例如：weight = \"10\"（应为 weight = 10）。

怎么改：按消息改成要求的类型。"),
    (&["missing-file"], "缺少必需的文件（错误）

每个机构文件夹要有 agency.toml；每个年度文件夹要有 report.md（正文）和 data.toml（表二、表三、表四的数字；汇总报告可以没有）。

例如：content/jiaoyu/2024/ 中只有 report.md。

怎么改：创建缺少的文件，或用 portal new 机构 年份 生成。"),
    (&["path"], "content/ 中的文件夹名不对（错误）

content/ 下一级必须是机构文件夹（网址中使用的名称），再下一级是四位数字的年度。static/、templates/ 或主题中指向自身所在文件夹（或上级）的链接也是错误。

例如：content/jiaoyu/2024年/（应为 2024）。

怎么改：按规则改名。"),
    (&["name"], "Windows 上不能使用的名字（错误）

网站要在 Windows 电脑上编辑和预览，文件名和文件夹名必须在 Windows、macOS、Linux 上都能用：不能是 CON、PRN、AUX、NUL、COM1、LPT1 等设备名（也不能是 con.txt），不能以点或空格结尾，不能含 < > : \" / \\ | ? * 或控制字符；只有大小写不同的两个输出文件也不行。

例如：附件名为“说明.”或“aux.pdf”。

怎么改：改名。"),
    (&["skipped"], "没有读取的文件夹（警告）

以点开头的机构或年度文件夹（例如 .草稿），以及年度文件夹中的子文件夹，不会被读取，也就不会发布；这条警告让它们不至于被忽略。

例如：content/jiaoyu/2024/附件/（附件只从年度文件夹本身发布）。

怎么改：需要发布的，改名或移到正确的位置。"),
    (&["io"], "文件无法读取，或链接指向不存在的地方（错误）

文件没有读取权限、被其他程序占用，或附件、static/、templates/、主题中的符号链接指向不存在的文件。

例如：附件“说明.pdf”是一个指向已删除文件的快捷链接。

怎么改：按消息检查这个文件。"),
    (&["outside-root"], "文件或文件夹链接到站点根目录以外（错误）

站点读取的文件（site.toml、content/、static/、templates/、主题）如果是指向站点以外的链接，不会被读取，以免把站外的文件发布出去。链接到站点内部的可以使用。

例如：content/jiaoyu 是指向 /home/user/文档/教育局 的符号链接。

怎么改：把文件复制到站点中。"),
    (&["front-matter"], "report.md 的元数据（+++ 之间的部分）不完整（错误）

report.md 开头必须有用 +++ 包围的元数据：标题 title、发布日期 date、落款 signed_by。

例如：开头的 +++ 没有对应的结束行 +++。

怎么改：在元数据之后单独一行写 +++。"),
    (&["date"], "发布日期无效或晚于截止日期（错误或警告）

report.md 的 date 必须是存在的日期（否则是错误）。晚于格式规定的截止日期（部门和乡镇 1月31日；县级汇总 2月20日，市级 3月10日，省级 3月31日），或不在报告年度的下一年，是警告。

例如：date = 2025-02-30（不存在的日期）；或 2024 年度报告 date = 2025-03-01（晚于 1月31日）。

怎么改：写实际的发布日期，格式为 date = 2025-01-10。"),
    (&["year"], "标题中的年份与文件夹不一致（错误）

标题中写的年份与年度文件夹不同，通常是复制了上一年的报告而忘了改标题。

例如：content/jiaoyu/2024/report.md 的标题写着“2023年政府信息公开工作年度报告”。

怎么改：改正标题，或把报告放到正确的年度文件夹。"),
    (&["section-title", "section-order", "missing-section"], "正文的六个部分不符合格式（错误）

正文的一级、二级标题（# 或 ##）必须是格式规定的六个部分，按顺序：一、总体情况；二、主动公开政府信息情况；三、收到和处理政府信息公开申请情况；四、政府信息公开行政复议、行政诉讼情况；五、存在的主要问题及改进情况；六、其他需要报告的事项。也可以用常见的长标题。一、五、六不能省略。

例如：写成了“## 一、基本情况”，消息会指出可能想写的是“一、总体情况”。

怎么改：按格式改标题；小标题请用 ###。"),
    (&["duplicate"], "重复的机构或文件（错误）

两个机构文件夹的机构全称相同；或两个文件夹、文件的名字只有大小写或 Unicode 写法不同（Windows 和 macOS 会把它们当成同一个）；或附件与生成的文件同名（index.html、data.json、data.csv）。

例如：content/Jiaoyu/ 和 content/jiaoyu/。

怎么改：合并或删除其中一个，或改名。"),
    (&["waiver"], "豁免说明（[[waivers]]）用得不对（错误或警告）

已经按原样公布的历史报告，可以在 data.toml 中用 [[waivers]] 说明某条规则为何不成立。只有 R1–R4、R6、R7 和 summary 可以豁免（其他是错误）；豁免了一条本来就成立的规则是警告。

例如：[[waivers]] rule = \"R5\"（数字格式不能豁免）。

怎么改：删除不需要的豁免，或改为正确的规则。"),
    (&["config"], "site.toml 中的值不能使用（错误）

例如 base_url 不是网站地址（要写成 https://www.example.gov.cn/xxgk/ 的形式）、theme 写成了路径而不是 themes/ 下的文件夹名、language 不是 zh-CN。

例如：base_url = \"www.example.gov.cn\"（缺少 https://）。

怎么改：按消息改正这一项。"),
    (&["template"], "模板无法编译或渲染（错误）

主题或 templates/ 中的模板有语法错误，或用到了页面没有的变量。消息会给出文件、行号和这一行的模板标签。未定义的变量是错误而不是空字符串：可选的变量请用 is defined 判断或用 default 给出默认值。

例如：{{ report.subtitle }}，而报告没有 subtitle。

怎么改：按消息改正模板。"),
    (&["unsafe-html"], "正文中会被删除的 HTML（警告）

report.md 或首页简介中的原始 HTML，如 <script>、<iframe>、onclick 等事件属性、javascript: 地址，会在发布时被删除，以免网页被植入脚本。网页仍会发布，只是不含这些内容。

例如：<a href=\"javascript:alert(1)\">点击</a>。

怎么改：删掉这些 HTML，改用 Markdown 写法；确实需要的，见 site.toml 的 [security] allow_raw_html。"),
    (&["html-depth"], "正文中的 HTML 嵌套过深（错误）

report.md 某一部分或首页简介 intro 中的原始 HTML，元素一层套一层超过了 512 层（<div> 里再套 <div> ……）。浏览器也不会按原样显示这样的网页，处理它还会非常慢，所以不生成网站。错误标在这一部分第一行原始 HTML 处。

例如：从别的网站复制来的正文带着几百层 <div> 或 <table>。

怎么改：删去多余的标签，或把这段内容改用 Markdown 书写；从 Word 或网页复制时，先粘贴为纯文本。"),
    (&["format"], "报告格式写得不对，或与文件夹里的文件不符（错误）

每份报告按年度采用一种格式：2021 年起为 2021 年版格式（国办公开办函〔2021〕30号），2019、2020 年为 2019 年版格式（国办公开办函〔2019〕60号），更早的是没有统一统计表的自由格式。report.md 元数据中可以用 format 写明，只能是 \"2021\"、\"2019\" 或 \"free\"。自由格式的报告没有统计表，所以不读取 data.toml。

例如：2016 年的报告文件夹里放了 data.toml，或者写成了 format = \"2020\"。

怎么改：报告按某一版格式填报了统计表的，写明 format = \"2019\" 或 format = \"2021\"；否则删除 data.toml，原始表格可以作为附件放在报告文件夹中。"),
    (&["raw-html"], "已允许原始 HTML 不经过滤直接发布（警告）

site.toml 中 [security] allow_raw_html = true：正文中的 HTML（包括脚本）会原样发布。这条警告在设置处提示一次。

例如：为了嵌入视频打开了这个选项。

怎么改：如无必要，改回 false。"),
    (&["hint", "empty-section"], "报告还没有写完：留着写作提示，或某一部分没有内容（错误）

portal new 生成的 report.md 中每一部分都有 <!-- 提示：… --> 写作提示。报告不再是草稿（删掉了 draft = true）以后，还留着这些提示，或者一、五、六部分没有正文，就是错误，以免把没写完的报告发布出去。

例如：删掉了 draft = true，但“五、存在的主要问题及改进情况”下面只有提示。

怎么改：写好每一部分并删除提示；确实没有可写的，也要写明，例如“本年度无此类情况。”。还没写完的，在 +++ 之间加回 draft = true。"),
    (&["draft"], "草稿，不会发布（警告）

report.md 的元数据中有 draft = true（portal new 就是这样生成的）。草稿不出现在 portal build 生成的任何地方：报告页面、年度和机构页面、首页、订阅、站点地图、开放数据、汇总和公开情况统计。portal serve 会显示草稿，并在页面上标明“草稿”。

例如：+++ 之间有一行 draft = true。

怎么改：写完并检查无误后，删除 draft = true 这一行。"),
    (&["scheduled"], "发布日期还没有到，暂不发布（警告）

发布日期在今天之后的报告，会像草稿一样暂不发布，到那一天以后运行 portal build 才会发布。“今天”按北京时间计算，可以用 --clock 2025-01-10 或环境变量 PORTAL_CLOCK 指定。

例如：今天是 2025-01-05，报告写 date = 2025-01-10。

怎么改：到期后重新运行 portal build；日期写错的，改为实际发布日期。"),
    (&["omitted"], "同一文件的问题太多，其余的没有列出（错误或警告）

一个文件的问题超过 50 条时，后面的按严重程度合并成一行计数，以免真正的问题被淹没。通常是同一个原因（例如整个文件编码不对）造成的。

例如：data.toml 每一行都少了一个数字。

怎么改：先改正列出的问题，再运行 portal check。"),
    (&["link"], "链接指向的页面或文件不存在（错误）

网页中的链接（正文、模板、static/ 中的网页）指向的页面或文件，生成的网站中没有。消息会给出链接写在哪里：report.md 的行列、static/ 文件的行，或模板的文件和行。

例如：正文写 [附件](附件.pdf)，而年度文件夹中没有 附件.pdf。

怎么改：补上文件，或改正链接。"),
    (&["link-fragment"], "链接指向页面中不存在的位置（#id）（错误）

链接中 # 后面的部分要对应目标页面中某个元素的 id。

例如：[表三](#table-requestz)，而页面中的表三是 #table-requests。

怎么改：改正 # 后面的部分。"),
    (&["link-outside"], "相对链接的 ../ 太多，超出了网站的根目录（错误）

同一主机上 base_url 以外的地址（门户网站的其他栏目）不是错误，会和外部链接一起由 portal check --external 检查。只有 ../ 比根目录还多的相对链接才是错误：任何服务器上都没有这样的地址。

例如：在 /xxgk/2024/ 的页面中写 ../../../../x。

怎么改：改为正确的相对链接，或写完整地址。"),
    (&["link-javascript"], "javascript: 链接（错误）

javascript: 不是网页地址，政府网站检查会把它计为错链。

例如：<a href=\"javascript:void(0)\">返回</a>。

怎么改：改为真实的网页地址，或删掉链接。"),
    (&["unpublished"], "应发布而没有年度报告的机构（未发布）

机构从第一年（agency.toml 的 first_year，默认是它的第一份报告的年份；两者都没有的，每一年都应发布）起，每年都应发布年度报告；汇总机构在有成员机构发布的年份也应发布。已撤销或合并的机构，到 [dissolved] 的 last_year 为止。没有报告的年份在年度页面的公开情况中显示为“未发布”，portal check 最后会列出这些机构。

例如：content/weijian/agency.toml 存在，但没有 2024 年度报告。

怎么改：补上报告（portal new weijian 2024）；机构已撤销或合并的，在 agency.toml 中写 dissolved = { last_year = 2023, reason = \"……\" }；从某一年才开始报告的，写 first_year。"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_explanation_has_an_example_and_what_to_do() {
        for (codes, text) in EXPLANATIONS {
            assert!(text.contains("例如") && text.contains("怎么改"), "{codes:?}");
        }
        assert_eq!(find("r3"), find("R3"));
        assert!(find("nosuch").is_none());
    }
}
