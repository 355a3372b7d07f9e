#!/usr/bin/env python3
# Copied from the shared benchmark kit (bench/gen_corpus.py, see its README) so that this
# repository stands alone; benches/portal.rs runs it with --formats hugo. Unchanged below.
"""Deterministic synthetic corpus of government information-disclosure annual reports.

Writes the SAME reports (same text, same tables, same links) in the layouts that
Hugo and Zola need, so both build the same pages, and optionally a DRAFT layout of
our own future "portal" format.

    python3 gen_corpus.py --out corpus1k                      # 50 x 20 = 1,000 reports
    python3 gen_corpus.py --out corpus10k --agencies 500      # 500 x 20 = 10,000 reports
    python3 gen_corpus.py --out DIR --plant 5                      # plant broken links (see planted.tsv)
    python3 gen_corpus.py --out DIR --formats hugo,zola,portal

Output:
    DIR/hugo/   config.toml, content/<agency>/_index.md, content/<agency>/<year>.md, layouts/_default/{single,list}.html
    DIR/zola/   config.toml, content/_index.md, content/<agency>/_index.md, content/<agency>/<year>.md,
                templates/{index,section,page}.html
    DIR/portal/ (DRAFT) content/<agency>/agency.toml, content/<agency>/<year>/report.md + data.toml
    DIR/planted.tsv  one line per planted broken link: kind, source page URL, href

All internal links are root-relative ("/agency-007/2019/#s3"); headings carry
explicit ASCII ids ({#s1} .. {#s6}) so that fragments are identical in both
generators (their automatic CJK heading slugs differ).  Standard library only.
"""
import argparse
import os
import random
import shutil

# ---------------------------------------------------------------- word lists (fixed, tiny)
WORDS = [
    "政府信息公开", "依申请公开", "主动公开", "政务公开", "工作机制", "制度建设", "规范性文件",
    "行政许可", "行政处罚", "行政复议", "行政诉讼", "信息发布", "政策解读", "回应关切",
    "平台建设", "政府网站", "政务新媒体", "监督保障", "培训考核", "社会评议", "责任追究",
    "进一步", "持续", "全面", "深入", "扎实", "推进", "加强", "完善", "落实", "提升", "优化",
    "统筹", "规范", "及时", "准确", "依法", "有序", "高效", "便民", "群众", "企业",
    "办事指南", "权责清单", "财政预决算", "重大决策", "公众参与", "政务服务", "年度计划",
    "标准化", "规范化", "信息化", "数据开放", "保密审查", "答复时限", "办理质量", "工作人员",
    "主要负责同志", "专题会议", "工作要点", "考核评估", "社会监督", "意见建议", "本年度",
]
CONNECT = ["，", "，", "，", "、", "；"]
SECTIONS = [
    (1, "一、总体情况"),
    (2, "二、主动公开政府信息情况"),
    (3, "三、收到和处理政府信息公开申请情况"),
    (4, "四、政府信息公开行政复议、行政诉讼情况"),
    (5, "五、存在的主要问题及改进情况"),
    (6, "六、其他需要报告的事项"),
]
CITIES = ["东江市", "西岭市", "南湖市", "北川市", "青山市", "白云市", "红河市", "金沙市", "玉泉市",
          "长宁市", "安平市", "永和市", "新华市", "光明市", "丰泽市", "临江市", "清远市", "宁海市",
          "顺德市", "兴义市", "泰和市", "嘉禾市", "仁寿市", "文昌市", "桂林市"]
BUREAUS = ["人民政府办公室", "发展和改革委员会", "教育局", "科学技术局", "公安局", "民政局", "司法局",
           "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局",
           "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "应急管理局", "市场监督管理局"]

# Section 2 (proactive disclosure): ~8 rows x 3 cols
S2_ROWS = ["规章", "行政规范性文件", "行政许可", "行政处罚", "行政强制", "行政事业性收费",
           "政府集中采购项目", "财政预决算"]
S2_COLS = ["信息内容", "本年新制作数量", "本年新公开数量"]
# Section 3 (requests): ~30 rows x 8 cols (label + 7 integer columns, the last is the total)
S3_COLS = ["项目", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
S3_ROWS = [
    "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量",
    "三、本年度办理结果（一）予以公开", "（二）部分公开", "（三）不予公开 1.属于国家秘密",
    "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
    "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项",
    "（四）无法提供 1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确",
    "（五）不予处理 1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物",
    "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息",
    "（六）其他处理 1.申请人无正当理由逾期不补正", "2.申请人逾期未按收费通知要求缴纳费用",
    "3.其他", "（七）总计", "四、结转下年度继续办理",
    "附：按期答复数量", "附：延期答复数量", "附：收费数量", "附：收费金额（元）", "附：撤回申请数量",
]
# Section 4 (review/litigation): 1 row x 15 cols
S4_COLS = ([f"行政复议{x}" for x in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]]
           + [f"未经复议起诉{x}" for x in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]]
           + [f"复议后起诉{x}" for x in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]])
EXTERNAL = ["https://www.gov.cn/zhengce/xxgk/", "https://www.gov.cn/gongbao/",
            "https://www.gov.cn/zhengce/content/", "https://www.gov.cn/xinwen/"]


def sentence(rng):
    n = rng.randint(6, 12)
    parts = []
    for i in range(n):
        parts.append(rng.choice(WORDS))
        if i < n - 1 and rng.random() < 0.25:
            parts.append(rng.choice(CONNECT))
    return "".join(parts) + "。"


def paragraph_block(rng, target_bytes):
    """Paragraphs of sentences until ~target_bytes of UTF-8."""
    paras, cur, size = [], [], 0
    while size < target_bytes:
        s = sentence(rng)
        cur.append(s)
        size += len(s.encode())
        if len(cur) >= rng.randint(4, 7):
            paras.append("".join(cur))
            cur = []
    if cur:
        paras.append("".join(cur))
    return paras


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out)


class Report:
    pass


def make_data(rng):
    s2 = [[name, rng.randint(0, 40), rng.randint(0, 60)] for name in S2_ROWS]
    s3 = []
    for name in S3_ROWS:
        vals = [rng.choice([0, 0, 0, rng.randint(0, 9), rng.randint(0, 120)]) for _ in range(6)]
        s3.append([name] + vals + [sum(vals)])
    s4 = []
    for _ in range(3):
        g = [rng.choice([0, 0, rng.randint(0, 6)]) for _ in range(4)]
        s4 += g + [sum(g)]
    return s2, s3, s4


def build_reports(args):
    rng = random.Random(args.seed)
    agencies = []
    for i in range(args.agencies):
        name = CITIES[(i // len(BUREAUS)) % len(CITIES)] + BUREAUS[i % len(BUREAUS)]
        if i >= len(CITIES) * len(BUREAUS):
            name = f"{name}（第{i // (len(CITIES) * len(BUREAUS)) + 1}片区）"
        agencies.append((f"agency-{i + 1:03d}", name))
    years = list(range(args.last_year - args.years + 1, args.last_year + 1))
    reports = []
    for slug, name in agencies:
        for y in years:
            r = Report()
            r.slug, r.agency, r.year = slug, name, y
            r.url = f"/{slug}/{y}/"
            r.title = f"{name}{y}年政府信息公开工作年度报告"
            r.date = f"{y + 1}-01-{rng.randint(10, 31):02d}"
            reports.append(r)
    keys = [(r.slug, r.year) for r in reports]
    by_key = {(r.slug, r.year): r for r in reports}
    for r in reports:
        target = rng.randint(int(args.min_kb * 1024), int(args.max_kb * 1024))
        share = {1: 0.38, 2: 0.06, 3: 0.06, 4: 0.05, 5: 0.27, 6: 0.18}
        r.text = {n: paragraph_block(rng, int(target * share[n])) for n, _ in SECTIONS}
        r.s2, r.s3, r.s4 = make_data(rng)
        links = []
        prev = by_key.get((r.slug, r.year - 1))
        if prev:
            links.append(("上年度报告", prev.url))
        want = rng.randint(3, 5)
        while len(links) < want:
            k = rng.choice(keys)
            if k == (r.slug, r.year):
                continue
            o = by_key[k]
            frag = rng.choice(["", "", "#s2", "#s3", "#s4"])
            links.append((f"{o.agency}{o.year}年报告", o.url + frag))
        r.links = links
        r.external = ("中国政府网", rng.choice(EXTERNAL))
        r.planted = []
    # planted broken links, deterministic
    if args.plant:
        prng = random.Random(args.seed + 1)
        for r in prng.sample(reports, args.plant):
            other = prng.choice(reports)
            r.planted = [
                ("missing-page", "不存在的报告", "/agency-999/1999/"),
                ("missing-fragment-other-page", "错误锚点", other.url + "#s9"),
                ("missing-fragment-same-page", "本页错误锚点", "#no-such-anchor"),
                ("missing-file", "附件", f"/files/{r.slug}-{r.year}-missing.pdf"),
            ]
    return agencies, years, reports


def body_markdown(r):
    """Markdown body shared by Hugo and Zola (and the portal draft, minus tables)."""
    out = []
    for n, head in SECTIONS:
        out.append(f"## {head} {{#s{n}}}\n")
        paras = r.text[n]
        if n == 1:
            out.extend(p + "\n" for p in paras)
            links = "；".join(f"[{t}]({u})" for t, u in r.links)
            out.append(f"相关报告：{links}。\n")
        elif n == 2:
            out.extend(p + "\n" for p in paras)
            out.append(md_table(S2_COLS, r.s2) + "\n")
        elif n == 3:
            out.extend(p + "\n" for p in paras)
            out.append(md_table(S3_COLS, r.s3) + "\n")
        elif n == 4:
            out.extend(p + "\n" for p in paras)
            out.append(md_table(S4_COLS, [r.s4]) + "\n")
        else:
            out.extend(p + "\n" for p in paras)
        if n == 6:
            t, u = r.external
            out.append(f"更多政策文件请访问[{t}]({u})。\n")
            for kind, t, u in r.planted:
                out.append(f"[{t}]({u})\n")
    return "\n".join(out)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def q(s):  # TOML basic string
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


SITE_TITLE = "政府信息公开工作年度报告"

HUGO_CONFIG = f"""baseURL = "https://example.gov.cn/"
languageCode = "zh-CN"
defaultContentLanguage = "zh"
title = "{SITE_TITLE}"
hasCJKLanguage = true
disableKinds = ["taxonomy", "term"]
rssLimit = 20
enableRobotsTXT = false

[outputs]
home = ["HTML", "RSS"]
section = ["HTML", "RSS"]
page = ["HTML"]
"""

HUGO_SINGLE = """<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{{ .Title }}</title>
<link rel="alternate" type="application/rss+xml" href="{{ .Parent.RelPermalink }}index.xml"></head>
<body>
<nav><a href="/">首页</a> › <a href="{{ .Parent.RelPermalink }}">{{ .Params.agency }}</a></nav>
<h1>{{ .Title }}</h1>
<p>发布机关：{{ .Params.agency }}　年度：{{ .Params.year }}　发布日期：{{ .Date.Format "2006-01-02" }}</p>
<nav class="years">
{{ with .NextInSection }}<a rel="prev" href="{{ .RelPermalink }}">← {{ .Params.year }}年</a>{{ end }}
<a href="{{ .Parent.RelPermalink }}">全部年度</a>
{{ with .PrevInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Params.year }}年 →</a>{{ end }}
</nav>
<article>
{{ .Content }}
</article>
</body>
</html>
"""

HUGO_LIST = """<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{{ .Title }}</title>
<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}index.xml"></head>
<body>
<nav><a href="/">首页</a></nav>
<h1>{{ .Title }}</h1>
<ul>
{{ range .Pages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>
{{ end }}
</ul>
</body>
</html>
"""

ZOLA_CONFIG = f"""base_url = "https://example.gov.cn"
title = "{SITE_TITLE}"
default_language = "zh"
generate_feeds = true
feed_filenames = ["rss.xml"]
feed_limit = 20
compile_sass = false
build_search_index = false
generate_robots_txt = false

[markdown]
render_emoji = false

[slugify]
paths = "safe"
"""

ZOLA_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{{ page.title }}</title>
<link rel="alternate" type="application/rss+xml" href="/{{ page.components | first }}/rss.xml"></head>
<body>
<nav><a href="/">首页</a> › <a href="/{{ page.components | first }}/">{{ page.extra.agency }}</a></nav>
<h1>{{ page.title }}</h1>
<p>发布机关：{{ page.extra.agency }}　年度：{{ page.extra.year }}　发布日期：{{ page.date | date(format="%Y-%m-%d") }}</p>
<nav class="years">
{% if page.lower %}<a rel="prev" href="{{ page.lower.path | safe }}">← {{ page.lower.extra.year }}年</a>{% endif %}
<a href="/{{ page.components | first }}/">全部年度</a>
{% if page.higher %}<a rel="next" href="{{ page.higher.path | safe }}">{{ page.higher.extra.year }}年 →</a>{% endif %}
</nav>
<article>
{{ page.content | safe }}
</article>
</body>
</html>
"""

ZOLA_SECTION = """<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{{ section.title }}</title>
<link rel="alternate" type="application/rss+xml" href="{{ section.path | safe }}rss.xml"></head>
<body>
<nav><a href="/">首页</a></nav>
<h1>{{ section.title }}</h1>
<ul>
{% for p in section.pages %}<li><a href="{{ p.path | safe }}">{{ p.title }}</a> {{ p.date | date(format="%Y-%m-%d") }}</li>
{% endfor %}
</ul>
</body>
</html>
"""

ZOLA_INDEX = """<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{{ config.title }}</title>
<link rel="alternate" type="application/rss+xml" href="/rss.xml"></head>
<body>
<nav><a href="/">首页</a></nav>
<h1>{{ config.title }}</h1>
<ul>
{% for s in section.subsections %}{% set sub = get_section(path=s, metadata_only=true) %}<li><a href="{{ sub.path | safe }}">{{ sub.title }}</a></li>
{% endfor %}
</ul>
</body>
</html>
"""


def emit_hugo(root, agencies, reports):
    write(f"{root}/config.toml", HUGO_CONFIG)
    write(f"{root}/layouts/_default/single.html", HUGO_SINGLE)
    write(f"{root}/layouts/_default/list.html", HUGO_LIST)
    write(f"{root}/content/_index.md", f"+++\ntitle = {q(SITE_TITLE)}\n+++\n")
    for slug, name in agencies:
        write(f"{root}/content/{slug}/_index.md", f"+++\ntitle = {q(name)}\n+++\n")
    for r in reports:
        fm = (f"+++\ntitle = {q(r.title)}\ndate = {r.date}\nagency = {q(r.agency)}\n"
              f"year = {r.year}\n+++\n\n")
        write(f"{root}/content/{r.slug}/{r.year}.md", fm + body_markdown(r))


def emit_zola(root, agencies, reports):
    write(f"{root}/config.toml", ZOLA_CONFIG)
    write(f"{root}/templates/index.html", ZOLA_INDEX)
    write(f"{root}/templates/section.html", ZOLA_SECTION)
    write(f"{root}/templates/page.html", ZOLA_PAGE)
    write(f"{root}/content/_index.md", f"+++\ntitle = {q(SITE_TITLE)}\nsort_by = \"date\"\n+++\n")
    for slug, name in agencies:
        write(f"{root}/content/{slug}/_index.md",
              f"+++\ntitle = {q(name)}\nsort_by = \"date\"\ngenerate_feeds = true\n+++\n")
    for r in reports:
        fm = (f"+++\ntitle = {q(r.title)}\ndate = {r.date}\n\n[extra]\nagency = {q(r.agency)}\n"
              f"year = {r.year}\n+++\n\n")
        write(f"{root}/content/{r.slug}/{r.year}.md", fm + body_markdown(r))


def emit_portal(root, agencies, reports):
    """DRAFT of our own future format: narrative Markdown + structured data.toml per report.
    Tables are NOT in report.md; the generator would render them from data.toml."""
    write(f"{root}/DRAFT.txt", "DRAFT layout for the future portal generator; field names are provisional.\n")
    for slug, name in agencies:
        write(f"{root}/content/{slug}/agency.toml", f"# DRAFT\nslug = {q(slug)}\nname = {q(name)}\n")
    for r in reports:
        md = [f"+++\n# DRAFT\ntitle = {q(r.title)}\ndate = {r.date}\nagency = {q(r.slug)}\nyear = {r.year}\n+++\n"]
        for n, head in SECTIONS:
            md.append(f"## {head} {{#s{n}}}\n")
            md.extend(p + "\n" for p in r.text[n])
            if n == 1:
                md.append("相关报告：" + "；".join(f"[{t}]({u})" for t, u in r.links) + "。\n")
            if n in (2, 3, 4):
                md.append(f"<!-- table: section{n} from data.toml -->\n")
            if n == 6:
                t, u = r.external
                md.append(f"更多政策文件请访问[{t}]({u})。\n")
                md.extend(f"[{t}]({u})\n" for _, t, u in r.planted)
        write(f"{root}/content/{r.slug}/{r.year}/report.md", "\n".join(md))
        d = ["# DRAFT: structured statistics for the report tables", "[section2]",
             "columns = [" + ", ".join(q(c) for c in S2_COLS) + "]", "rows = ["]
        d += ["  [" + ", ".join([q(x[0])] + [str(v) for v in x[1:]]) + "]," for x in r.s2]
        d += ["]", "", "[section3]", "columns = [" + ", ".join(q(c) for c in S3_COLS) + "]", "rows = ["]
        d += ["  [" + ", ".join([q(x[0])] + [str(v) for v in x[1:]]) + "]," for x in r.s3]
        d += ["]", "", "[section4]", "columns = [" + ", ".join(q(c) for c in S4_COLS) + "]",
              "values = [" + ", ".join(str(v) for v in r.s4) + "]", ""]
        write(f"{root}/content/{r.slug}/{r.year}/data.toml", "\n".join(d))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--agencies", type=int, default=50)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--last-year", type=int, default=2024)
    ap.add_argument("--seed", type=int, default=20240101)
    ap.add_argument("--min-kb", type=float, default=3.2, help="narrative target (headings, links, table intros add ~1 KB)")
    ap.add_argument("--max-kb", type=float, default=5.0)
    ap.add_argument("--plant", type=int, default=0, help="reports that get 4 planted broken links each")
    ap.add_argument("--formats", default="hugo,zola", help="comma list of hugo,zola,portal")
    args = ap.parse_args()
    agencies, years, reports = build_reports(args)
    fmts = set(args.formats.split(","))
    os.makedirs(args.out, exist_ok=True)
    for f in ("hugo", "zola", "portal"):
        if f in fmts:
            shutil.rmtree(f"{args.out}/{f}", ignore_errors=True)
    if "hugo" in fmts:
        emit_hugo(f"{args.out}/hugo", agencies, reports)
    if "zola" in fmts:
        emit_zola(f"{args.out}/zola", agencies, reports)
    if "portal" in fmts:
        emit_portal(f"{args.out}/portal", agencies, reports)
    with open(f"{args.out}/planted.tsv", "w", encoding="utf-8") as f:
        f.write("kind\tsource_url\thref\n")
        for r in reports:
            for kind, _, u in r.planted:
                f.write(f"{kind}\t{r.url}\t{u}\n")
    print(f"{len(reports)} reports ({len(agencies)} agencies x {len(years)} years), "
          f"{sum(len(r.planted) for r in reports)} planted broken links -> {args.out}")


if __name__ == "__main__":
    main()
