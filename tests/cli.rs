//! End-to-end: the command line speaks Chinese, explains every code of the
//! docs, writes completion scripts, shows progress on a terminal only, is
//! quiet when asked, and words clap's own errors in Chinese.

mod common;
#[allow(dead_code)]
#[path = "../benches/gen_site.rs"]
mod gen_site;

use common::{REPO, Run, TempSite};

fn portal(args: &[&str]) -> Run {
    Run::from(
        std::process::Command::new(env!("CARGO_BIN_EXE_portal")).args(args).env("NO_COLOR", "1").output().unwrap(),
    )
}

/// Every code of the rule and diagnostic tables of docs/check.md and docs/links.md.
fn documented_codes() -> Vec<String> {
    let mut codes = Vec::new();
    for doc in ["check.md", "links.md"] {
        let text = std::fs::read_to_string(format!("{REPO}/docs/{doc}")).unwrap();
        for row in text.lines().filter(|l| l.starts_with("| ")) {
            let first = row.split(" | ").next().unwrap().trim_start_matches("| ");
            if first.starts_with('R') && first.len() == 2 {
                codes.push(first.to_owned());
            }
            codes.extend(first.split(", ").filter_map(|c| c.strip_prefix('`')?.strip_suffix('`')).map(str::to_owned));
        }
    }
    codes
}

#[test]
fn explain_works_for_every_documented_code() {
    let codes = documented_codes();
    assert!(
        codes.len() > 40 && codes.contains(&"R3".to_owned()) && codes.contains(&"link-outside".to_owned()),
        "{codes:?}"
    );
    for code in &codes {
        let run = portal(&["explain", code]);
        assert!(run.success, "portal explain {code}: {}", run.stderr);
        assert!(run.stdout.starts_with(&format!("{code}：")), "{code}: {}", run.stdout);
        assert!(run.stdout.contains("例如") && run.stdout.contains("怎么改"), "{code}: {}", run.stdout);
    }
    let run = portal(&["explain", "R33"]);
    assert!(!run.success);
    assert!(run.stderr.contains("没有代码“R33”"), "{}", run.stderr);
    assert!(portal(&["explain"]).stdout.contains("missing-row"));
}

#[test]
fn help_is_in_chinese_for_every_command() {
    for args in [
        &["--help"][..],
        &["build", "--help"],
        &["serve", "--help"],
        &["check", "--help"],
        &["init", "--help"],
        &["new", "--help"],
        &["import", "--help"],
        &["explain", "--help"],
        &["completions", "--help"],
    ] {
        let run = portal(args);
        assert!(run.success, "{args:?}: {}", run.stderr);
        let help = run.stdout;
        assert!(help.contains("用法：portal") && help.contains("显示帮助"), "{args:?}:\n{help}");
        for english in ["Usage", "Print help", "Options:", "[OPTIONS]", "[default", "Possible values"] {
            assert!(!help.contains(english), "{args:?} says {english}:\n{help}");
        }
        // Every option has a help text of its own, in Chinese.
        for line in help.lines().filter(|l| l.trim_start().starts_with("--") || l.trim_start().starts_with('-')) {
            assert!(
                line.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{args:?}: no help for {line:?}\n{help}"
            );
        }
    }
    assert!(portal(&["build", "--help"]).stdout.contains("--out <文件夹>"));
}

#[test]
fn completions_for_the_shells() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = portal(&["completions", shell]);
        assert!(run.success && run.stdout.contains("explain"), "{shell}: {}", run.stderr);
    }
    assert!(!portal(&["completions", "cmd"]).success);
}

#[test]
fn quiet_keeps_only_the_problems() {
    let site = TempSite::sample();
    let run = site.run(&["build", "--quiet"]);
    assert!(run.success, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "");
    assert!(site.run(&["build"]).stdout.contains("已生成"));
    let run = site.run(&["check", "-q"]);
    assert!(run.success && run.stdout.is_empty(), "{}", run.stdout);
    // What is owed is a finding, and stays; the closing line goes.
    assert!(run.stderr.contains("未发布") && !run.stderr.contains("检查通过"), "{}", run.stderr);
}

#[test]
fn messages_point_to_explain_not_to_files_the_user_lacks() {
    let site = TempSite::sample();
    site.edit("content/linqu-yeyuan/2024/report.md", "date = ", "date = 2025-02-30 #");
    let run = site.run(&["check"]);
    assert!(!run.success);
    assert!(run.stderr.contains("要了解问题的详细解释和改法，运行 portal explain date"), "{}", run.stderr);
    assert!(!run.stderr.contains("docs/"), "{}", run.stderr);
    let empty = tempfile::tempdir().unwrap();
    let run = portal(&["check", "--root", empty.path().to_str().unwrap()]);
    assert!(run.stderr.contains("新建站点请运行 portal init") && !run.stderr.contains("docs/"), "{}", run.stderr);
}

#[test]
fn base_url_builds_for_a_staging_host() {
    let site = TempSite::sample();
    let run = site.run(&["build", "--base-url", "https://test.example.gov.cn/yulan/"]);
    assert!(run.success, "{}", run.stderr);
    let home = site.out("index.html");
    assert!(home.contains("href=\"/yulan/2024/\"") || home.contains("/yulan/"), "{home}");
    assert!(!home.contains("/xxgk/2024/"), "links still use site.toml's base_url");
    assert!(site.out("sitemap.xml").contains("https://test.example.gov.cn/yulan/"));
    // The kept state is not for another address: a build for site.toml's own is whole again.
    site.build_ok();
    assert!(site.out("sitemap.xml").contains("https://www.example.gov.cn/xxgk/"));
    assert!(!site.out("sitemap.xml").contains("yulan"));
    let bad = site.run(&["build", "--base-url", "test.example.gov.cn"]);
    assert!(
        !bad.success && bad.stderr.contains("--base-url：base_url 必须以 http:// 或 https:// 开头"),
        "{}",
        bad.stderr
    );
}

/// `portal <args>` on a pseudo-terminal (util-linux `script`): what the terminal showed.
#[cfg(unix)]
fn on_terminal(args: &[&str]) -> Run {
    let line = std::iter::once(env!("CARGO_BIN_EXE_portal")).chain(args.iter().copied()).collect::<Vec<_>>().join(" ");
    let output = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        // At once, not after a second: the test must not depend on the machine's speed.
        .env("PORTAL_PROGRESS_AFTER_MS", "0")
        .output()
        .expect("`script` from util-linux is needed for this test (apt-get install util-linux)");
    Run::from(output)
}

#[cfg(unix)]
#[test]
fn progress_line_on_a_terminal_only() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    gen_site::generate(&site, 300);
    let root = site.to_str().unwrap();
    let out = |name: &str| dir.path().join(name).to_string_lossy().into_owned();

    // Not a terminal: the one closing line, as ever, and no progress.
    let plain = portal(&["build", "--root", root, "--out", &out("plain")]);
    assert!(plain.success, "{}", plain.stderr);
    assert_eq!(plain.stderr, "");
    assert_eq!(plain.stdout.lines().count(), 1, "{}", plain.stdout);
    assert!(plain.stdout.starts_with("已生成 ") && !plain.stdout.contains('\r'), "{}", plain.stdout);

    // A terminal (the line shown at once): it names the stage and counts
    // the files, then is cleared.
    let _ = std::fs::remove_dir_all(site.join(".portal-cache"));
    let shown = on_terminal(&["build", "--root", root, "--out", &out("shown")]);
    assert!(shown.success, "{}", shown.stdout);
    assert!(shown.stdout.contains("正在生成文件并检查链接："), "{}", shown.stdout);
    assert!(shown.stdout.contains(" 个文件"), "{}", shown.stdout);
    assert!(shown.stdout.contains("已生成 "), "{}", shown.stdout);
    let _ = std::fs::remove_dir_all(site.join(".portal-cache"));
    let checked = on_terminal(&["check", "--root", root]);
    assert!(checked.success && checked.stdout.contains("正在检查各个文件和链接："), "{}", checked.stdout);

    // --quiet: nothing at all, on a terminal too.
    let _ = std::fs::remove_dir_all(site.join(".portal-cache"));
    let quiet = on_terminal(&["build", "--quiet", "--root", root, "--out", &out("quiet")]);
    assert!(quiet.success, "{}", quiet.stdout);
    assert_eq!(quiet.stdout.trim(), "", "{:?}", quiet.stdout);
}

/// `portal <args>` fails with clap's status and exactly `expected` on stderr.
fn fails_with(args: &[&str], expected: &str) {
    let run = portal(args);
    assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
    assert_eq!(run.stdout, "", "{args:?}");
    assert_eq!(run.stderr, expected, "{args:?}");
}

#[test]
fn clap_errors_in_chinese() {
    let tail = "\n要查看这个命令的全部选项，运行 portal build --help；全部命令：portal --help\n";
    fails_with(
        &["build", "--outt", "x"],
        &format!("错误：没有 '--outt' 这个选项\n  提示：是不是想写 '--out'？\n\n用法：portal build [选项]\n{tail}"),
    );
    fails_with(
        &["build", "--out"],
        &format!("错误：选项 '--out <文件夹>' 后面缺少值\n\n用法：portal build [选项]\n{tail}"),
    );
    fails_with(
        &["biuld"],
        "错误：没有 'biuld' 这个命令\n  提示：是不是想写 'build'？\n\n用法：portal [选项] <命令>\n\n要查看这个命令的全部选项，运行 portal --help\n",
    );
    fails_with(
        &["check", "--format", "xml"],
        "错误：选项 '--format <格式>' 的值 'xml' 不是可以写的值\n  提示：可以写的值：text、json\n\n用法：portal check [选项]\n\n\
         要查看这个命令的全部选项，运行 portal check --help；全部命令：portal --help\n",
    );
    fails_with(
        &["check", "--external", "--timeout", "abc"],
        "错误：选项 '--timeout <秒>' 的值 'abc' 写法不对\n  提示：这里要写一个不带小数点的整数，例如 15\n\n\
         用法：portal check [选项]\n\n要查看这个命令的全部选项，运行 portal check --help；全部命令：portal --help\n",
    );
    fails_with(
        &["new"],
        "错误：缺少必须给出的参数：<机构>\n\n用法：portal new [选项] <机构> [年份]\n\n\
         要查看这个命令的全部选项，运行 portal new --help；全部命令：portal --help\n",
    );
    fails_with(
        &["build", "extra"],
        &format!("错误：多出了参数 'extra'：这个命令不需要它\n\n用法：portal build [选项]\n{tail}"),
    );
    // `portal` alone lists the commands.
    let run = portal(&[]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("用法：portal [选项] <命令>") && run.stderr.contains("build"), "{}", run.stderr);
    assert!(!run.stderr.contains("error:") && !run.stderr.contains("Usage"), "{}", run.stderr);
}
