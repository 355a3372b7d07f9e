//! `portal` on Windows, end to end: the Windows binary (a debug build for
//! `x86_64-pc-windows-gnu`, linked by mingw) runs under Wine on the sample
//! and on generated sites, and writes what the Linux binary writes, byte for
//! byte. Fails, never skips, when Wine, mingw or the Rust target is missing
//! (`scripts/test-deps` installs them), and when the Windows build warns, so
//! that code behind `cfg(windows)` is checked on every run. See
//! docs/windows.md.

mod common;
#[path = "common/documents.rs"]
mod documents;
#[path = "../benches/gen_site.rs"]
mod gen_site;

use std::ffi::OsStr;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{REPO, Run, TempSite, copy_dir};
use documents::{Part, docx, html_page, sample_parts};

const TARGET: &str = "x86_64-pc-windows-gnu";
const MINGW_GCC: &str = "x86_64-w64-mingw32-gcc";
/// What portal says of a file another program holds open (src/text/os_error.rs).
const HELD: &str = "文件被其他程序占用（例如 WPS 或 Word 正在打开它），请关闭后重试";

/// The Windows binary, ready to run under Wine.
struct Windows {
    wine: PathBuf,
    prefix: PathBuf,
    /// The folder of `portal.exe`, the shim DLL and `hold.exe`.
    bin: PathBuf,
}

/// Builds everything once per test run; every test fails with the reason if that fails.
fn windows() -> &'static Windows {
    static SETUP: OnceLock<Result<Windows, String>> = OnceLock::new();
    match SETUP.get_or_init(setup) {
        Ok(w) => w,
        Err(e) => panic!("{e}"),
    }
}

/// A program on PATH (or at one of `also`).
fn find(names: &[&str], also: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = std::env::split_paths(&path).flat_map(|dir| names.iter().map(move |n| dir.join(n)));
    on_path.chain(also.iter().map(PathBuf::from)).find(|p| p.is_file())
}

fn setup() -> Result<Windows, String> {
    const HINT: &str = "run scripts/test-deps";
    let wine = find(&["wine64", "wine"], &["/usr/lib/wine/wine64"])
        .ok_or(format!("Wine is missing (Debian: apt-get install wine64 wine): {HINT}"))?;
    find(&[MINGW_GCC], &[]).ok_or(format!("mingw is missing (apt-get install gcc-mingw-w64-x86-64): {HINT}"))?;
    let sysroot = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned()))
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("rustc: {e}"))?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if !sysroot.join("lib/rustlib").join(TARGET).join("lib").is_dir() {
        return Err(format!("the Rust target is missing (rustup target add {TARGET}): {HINT}"));
    }

    // Its own target folder, so that the outer cargo's lock is not in the way.
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let target_dir = tmp.join("windows");
    let started = Instant::now();
    let build = Command::new(env!("CARGO"))
        .args(["build", "--bin", "portal", "--target", TARGET, "--color", "never", "--target-dir"])
        .arg(&target_dir)
        .current_dir(REPO)
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    let log = String::from_utf8_lossy(&build.stderr);
    if !build.status.success() {
        return Err(format!("the Windows build failed:\n{log}"));
    }
    // Cargo replays the warnings of units it does not rebuild, so a warning is seen on every run.
    if log.lines().any(|l| l.starts_with("warning")) {
        return Err(format!("the Windows build warns (code behind cfg(windows) too must be clean):\n{log}"));
    }
    eprintln!("windows: cargo build --target {TARGET}: {:.1} s", started.elapsed().as_secs_f64());
    let bin = target_dir.join(TARGET).join("debug");

    let fixtures = Path::new(REPO).join("tests/windows");
    let gcc = |args: &[&OsStr]| -> Result<(), String> {
        let out = Command::new(MINGW_GCC).args(args).output().map_err(|e| format!("{MINGW_GCC}: {e}"))?;
        if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
    };
    let (shim, hold) = (bin.join("bcryptprimitives.dll"), bin.join("hold.exe"));
    gcc(&[
        "-shared".as_ref(),
        "-O2".as_ref(),
        "-o".as_ref(),
        shim.as_os_str(),
        fixtures.join("bcryptprimitives.c").as_os_str(),
        "-ladvapi32".as_ref(),
    ])?;
    gcc(&["-municode".as_ref(), "-O2".as_ref(), "-o".as_ref(), hold.as_os_str(), fixtures.join("hold.c").as_os_str()])?;

    let prefix = tmp.join("wine");
    let windows = Windows { wine, prefix, bin };
    if !windows.prefix.join("system.reg").is_file() {
        let started = Instant::now();
        let boot = windows.command("wineboot").arg("-i").output().map_err(|e| format!("wineboot: {e}"))?;
        if !windows.prefix.join("system.reg").is_file() {
            return Err(format!("wineboot -i made no prefix: {}", String::from_utf8_lossy(&boot.stderr)));
        }
        eprintln!("windows: wineboot -i: {:.1} s", started.elapsed().as_secs_f64());
    }
    windows.keep_server()?;
    Ok(windows)
}

impl Windows {
    /// `wine <program>`, quiet, in the test's own prefix.
    fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(&self.wine);
        command
            .arg(program)
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            // No Mono or Gecko installer at the first start.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env("NO_COLOR", "1");
        command
    }

    /// Starts one wineserver for the whole run. Debian's `wineserver` quits the moment its last
    /// client does (`-p0`), so a test starting wine just then met a closing server and failed
    /// with "recvmsg: Connection reset by peer". This one stays 60 s past its last client.
    fn keep_server(&self) -> Result<(), String> {
        let server = find(&["wineserver"], &["/usr/lib/wine/wineserver64", "/usr/lib/wine/wineserver"])
            .ok_or("wineserver is missing (apt-get install wine64 wine): run scripts/test-deps")?;
        let run = |arg: &str| {
            Command::new(&server)
                .arg(arg)
                .env("WINEPREFIX", &self.prefix)
                // Detached, it must not hold the test's output open.
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map_err(|e| format!("{}: {e}", server.display()))
        };
        // The one wineboot left (or a previous run's) goes first: only one server per prefix.
        run("-k")?;
        let started = run("-p60")?;
        if started.success() { Ok(()) } else { Err(format!("wineserver -p60 failed: {started}")) }
    }

    /// `portal.exe <args> --root <root>`, the root as a Windows path.
    fn portal(&self, root: &Path, args: &[&str]) -> Command {
        let mut command = self.command(self.bin.join("portal.exe"));
        command.args(args).arg("--root").arg(win(root));
        command
    }

    fn run(&self, root: &Path, args: &[&str]) -> Run {
        Run::from(self.portal(root, args).output().expect("run wine"))
    }
}

/// The Linux binary on the same site.
fn linux(root: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(args)
        .arg("--root")
        .arg(root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run::from(out)
}

/// A Linux path as Windows programs under Wine see it: drive Z: is `/`.
fn win(path: &Path) -> String {
    format!("Z:{}", path.to_str().expect("UTF-8 path").replace('/', "\\"))
}

/// Every file under `dir`, by relative path with `/`, sorted, with its bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    common::snapshot(dir)
}

/// Asserts that two folders hold the same files with the same bytes, naming
/// the first difference.
fn assert_same_tree(linux: &Path, windows: &Path) {
    let (a, b) = (tree(linux), tree(windows));
    assert!(!a.is_empty(), "{} is empty", linux.display());
    for ((pa, xa), (pb, xb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb, "the first file that only one build wrote");
        if xa != xb {
            let at = xa.iter().zip(xb).position(|(x, y)| x != y).unwrap_or(xa.len().min(xb.len()));
            let around =
                |x: &[u8]| String::from_utf8_lossy(&x[at.saturating_sub(60)..(at + 60).min(x.len())]).into_owned();
            panic!(
                "{pa} differs at byte {at} (Linux {} bytes, Windows {}):\nLinux:   {:?}\nWindows: {:?}",
                xa.len(),
                xb.len(),
                around(xa),
                around(xb)
            );
        }
    }
    assert_eq!(a.len(), b.len(), "Linux wrote {} files, Windows {}", a.len(), b.len());
}

/// Builds copies of the site at `root` with both binaries, each into its own folder, and compares.
fn assert_builds_alike(root: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let (l, w) = (dir.path().join("linux"), dir.path().join("windows"));
    copy_dir(root, &l.join("site"));
    copy_dir(root, &w.join("site"));
    let run = linux(&l.join("site"), &["build", "--out", l.join("out").to_str().unwrap()]);
    assert!(run.success, "Linux build:\n{}", run.stderr);
    let out = win(&w.join("out"));
    let run = windows().run(&w.join("site"), &["build", "--out", &out]);
    assert!(run.success, "Windows build:\n{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(&out), "the output named as given: {}", run.stdout);
    assert_same_tree(&l.join("out"), &w.join("out"));
}

#[test]
fn the_windows_binary_is_versioned_and_has_its_manifest() {
    let w = windows();
    let run = Run::from(w.command(w.bin.join("portal.exe")).arg("--version").output().unwrap());
    assert!(run.success, "{}", run.stderr);
    let ours = linux(Path::new("."), &["--version"]).stdout;
    assert_eq!(run.stdout, ours, "the same version and commit as the Linux build");
    assert!(ours.starts_with(&format!("portal {} (", env!("CARGO_PKG_VERSION"))), "{ours}");
    let exe = fs::read(w.bin.join("portal.exe")).unwrap();
    for setting in [
        "<activeCodePage xmlns=\"http://schemas.microsoft.com/SMI/2019/WindowsSettings\">UTF-8</activeCodePage>",
        "<longPathAware xmlns=\"http://schemas.microsoft.com/SMI/2016/WindowsSettings\">true</longPathAware>",
    ] {
        assert!(exe.windows(setting.len()).any(|w| w == setting.as_bytes()), "no {setting} in portal.exe");
    }
}

#[test]
fn init_new_check_and_build_as_on_linux() {
    let dir = tempfile::tempdir().unwrap();
    let (l, w) = (dir.path().join("linux"), dir.path().join("windows"));
    fs::create_dir_all(&l).unwrap();
    fs::create_dir_all(&w).unwrap();
    let both = |args: &[&str]| -> (Run, Run) {
        let (a, b) = (linux(&l, args), windows().run(&w, args));
        assert_eq!(
            a.success, b.success,
            "{args:?}: Linux\n{}\n{}\nWindows\n{}\n{}",
            a.stdout, a.stderr, b.stdout, b.stderr
        );
        (a, b)
    };
    // Windows shows paths with backslashes; otherwise it says what Linux says.
    let same = |a: &str, b: &str, what: &str| assert_eq!(a, b.replace('\\', "/"), "{what}");

    let (a, b) = both(&["init"]);
    assert!(b.success && b.stdout.contains("content\\example-bureau\\2025\\data.toml"), "{}", b.stdout);
    same(&a.stdout.replace(&l.display().to_string(), ""), &b.stdout.replace(&win(&w), ""), "init");
    let (a, b) = both(&["new", "example-bureau", "2024"]);
    assert!(b.success, "{}", b.stderr);
    same(&a.stdout, &b.stdout, "new");
    let (a, b) = both(&["check"]);
    assert!(b.stderr.contains("warning[draft]: content\\example-bureau\\2024\\report.md 是草稿"), "{}", b.stderr);
    same(&a.stderr, &b.stderr, "the drafts");
    // Both reports written: published from now on.
    for root in [&l, &w] {
        for year in ["2024", "2025"] {
            let md = root.join(format!("content/example-bureau/{year}/report.md"));
            fs::write(&md, common::finished(&fs::read_to_string(&md).unwrap(), None)).unwrap();
        }
    }
    let (_, b) = both(&["check"]);
    assert!(b.stderr.contains("检查通过：没有发现问题"), "{}", b.stderr);

    // An error, its zh-CN message and the span under it, with the file's path as Windows writes it.
    for root in [&l, &w] {
        let data = root.join("content/example-bureau/2024/data.toml");
        let text = fs::read_to_string(&data).unwrap().replacen("licensing = 0 ", "licensing = -3 ", 1);
        fs::write(&data, text).unwrap();
    }
    let (a, b) = both(&["check"]);
    assert!(!b.success);
    assert!(b.stderr.contains("行政许可 · 本年处理决定数量：件数不能为负数"), "{}", b.stderr);
    assert!(b.stderr.contains("content\\example-bureau\\2024\\data.toml:11:13"), "{}", b.stderr);
    same(&a.stderr, &b.stderr, "the diagnostics");
    let (_, b) = both(&["build"]);
    assert!(b.stderr.contains("件数不能为负数"), "{}", b.stderr);
    for root in [&l, &w] {
        let data = root.join("content/example-bureau/2024/data.toml");
        fs::write(&data, fs::read_to_string(&data).unwrap().replacen("licensing = -3 ", "licensing = 0 ", 1)).unwrap();
    }
    let (_, b) = both(&["build"]);
    assert!(b.stdout.contains("2 份报告"), "{}", b.stdout);
    assert_same_tree(&l.join("public"), &w.join("public"));

    // A rebuild after an edit puts the new site in place of the old one (three renames on
    // Windows, one exchange on Linux) and leaves nothing of the swap behind.
    for root in [&l, &w] {
        let md = root.join("content/example-bureau/2024/report.md");
        let text = fs::read_to_string(&md).unwrap();
        fs::write(&md, format!("{text}\n在 Windows 上重新生成。\n")).unwrap();
    }
    let (_, b) = both(&["build"]);
    assert!(b.stdout.contains("2 份报告"), "{}", b.stdout);
    assert_same_tree(&l.join("public"), &w.join("public"));
    assert!(
        fs::read_to_string(w.join("public/2024/example-bureau/index.html"))
            .unwrap()
            .contains("在 Windows 上重新生成。")
    );
    let beside: Vec<String> =
        fs::read_dir(&w).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!beside.iter().any(|n| n.starts_with(".portal-old-") || n.starts_with(".portal-mixed-")), "{beside:?}");
}

#[test]
fn the_sample_builds_byte_identical_to_linux() {
    let sample = TempSite::sample();
    assert_builds_alike(sample.root());
}

#[test]
fn a_generated_site_of_200_reports_builds_byte_identical_to_linux() {
    let dir = tempfile::tempdir().unwrap();
    gen_site::generate(dir.path(), 200);
    assert_builds_alike(dir.path());
}

#[test]
fn crlf_sources_with_a_bom_build_byte_identical_to_linux() {
    let site = TempSite::sample();
    for (rel, bytes) in tree(&site.path("content")) {
        let text = String::from_utf8(bytes).unwrap().replace('\n', "\r\n");
        fs::write(site.path("content").join(rel), format!("\u{feff}{text}")).unwrap();
    }
    let settings = site.read("site.toml").replace('\n', "\r\n");
    site.write("site.toml", &settings);
    let run = windows().run(site.root(), &["check"]);
    assert!(run.success && run.stderr.contains("检查通过：没有发现问题"), "{}{}", run.stdout, run.stderr);
    assert_builds_alike(site.root());
}

#[test]
fn a_site_deeper_than_260_characters_builds() {
    let dir = tempfile::tempdir().unwrap();
    let mut root = dir.path().to_path_buf();
    while win(&root).encode_utf16().count() < 240 {
        root.push("政府信息公开工作年度报告-folder-long-enough");
    }
    let site = TempSite::yeyuan();
    copy_dir(&site.path("content"), &root.join("content"));
    fs::copy(site.path("site.toml"), root.join("site.toml")).unwrap();
    let run = windows().run(&root, &["build"]);
    assert!(run.success, "{}{}", run.stdout, run.stderr);
    let page = root.join("public/2024/linqu-yeyuan/index.html");
    assert!(win(&page).encode_utf16().count() > 260, "{}", page.display());
    assert!(fs::read_to_string(&page).unwrap().contains("临朐县冶源街道办事处"));
    let out = dir.path().join("linux");
    let run = linux(&root, &["build", "--out", out.to_str().unwrap()]);
    assert!(run.success, "{}", run.stderr);
    assert_same_tree(&out, &root.join("public"));
}

#[test]
fn reserved_and_case_clashing_names_are_refused_as_on_linux() {
    for (name, problem) in [
        ("CON", "Windows 保留的设备名"),
        ("nul.txt", "Windows 保留的设备名"),
        ("example.", "以点或空格结尾"),
        ("Linqu-Yeyuan", "大小写"),
    ] {
        let site = TempSite::yeyuan();
        copy_dir(&site.path("content/linqu-yeyuan"), &site.path("content").join(name));
        let (a, b) = (linux(site.root(), &["check"]), windows().run(site.root(), &["check"]));
        assert!(!b.success, "{name} accepted:\n{}", b.stdout);
        assert!(b.stderr.contains(problem), "{name}:\n{}", b.stderr);
        assert_eq!(a.stderr, b.stderr.replace('\\', "/"), "{name}: Linux and Windows say the same");
    }
}

#[test]
fn docx_and_html_import_as_on_linux() {
    let mut parts = sample_parts();
    parts.push(Part::Para("2025年1月10日".to_owned()));
    let inputs: [(&str, Vec<u8>); 2] =
        [("报告.docx", docx(&parts)), ("网页.html", html_page(&parts, false).into_bytes())];
    for (file, bytes) in inputs {
        let (l, w) = (TempSite::yeyuan(), TempSite::yeyuan());
        for site in [&l, &w] {
            fs::remove_dir_all(site.path("content/linqu-yeyuan/2024")).unwrap();
            site.write_bytes(file, &bytes);
        }
        let a = linux(l.root(), &["import", l.path(file).to_str().unwrap()]);
        let b = windows().run(w.root(), &["import", &win(&w.path(file))]);
        assert!(b.success, "{file}: {}{}", b.stdout, b.stderr);
        assert!(b.stdout.contains("读到 200 个数字"), "{file}: {}", b.stdout);
        assert!(a.success, "{file}: {}", a.stderr);
        assert_same_tree(&l.path("content"), &w.path("content"));
    }
}

#[test]
fn a_data_toml_held_open_by_another_program_gives_a_clear_message() {
    let w = windows();
    let site = TempSite::yeyuan();
    let data = site.path("content/linqu-yeyuan/2024/data.toml");
    let mut hold =
        w.command(w.bin.join("hold.exe")).arg(win(&data)).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(hold.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "held", "hold.exe could not open the file");
    for args in [&["check"][..], &["build"]] {
        let run = w.run(site.root(), args);
        assert!(!run.success, "{args:?} read a held file:\n{}", run.stdout);
        assert!(run.stderr.contains(HELD), "{args:?}:\n{}", run.stderr);
        assert!(run.stderr.contains("content\\linqu-yeyuan\\2024\\data.toml"), "names the file:\n{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    assert!(!site.path("public").exists(), "a failed build wrote no output");
    drop(hold.stdin.take());
    assert!(hold.wait().unwrap().success());
    let run = w.run(site.root(), &["build"]);
    assert!(run.success, "once the file is closed: {}", run.stderr);
}

/// A `portal.exe serve` that is killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `GET path` over a plain socket; the whole response.
fn get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").unwrap();
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn serve_with_poll_serves_over_tcp_and_shows_an_edit() {
    let w = windows();
    let site = TempSite::yeyuan();
    let mut child = w
        .portal(site.root(), &["serve", "--poll", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let server = Server(child);
    let mut lines = stdout.lines();
    let listening = lines.by_ref().map_while(Result::ok).find(|l| l.starts_with("预览地址："));
    let listening = listening.expect("serve printed no address");
    assert!(listening.contains("--poll"), "{listening}");
    let url = listening.split_once("http://").map(|(_, u)| u).unwrap().split(['（', ' ']).next().unwrap();
    let (host, path) = url.split_once('/').unwrap();
    let port: u16 = host.rsplit_once(':').unwrap().1.parse().unwrap();
    let page = format!("/{path}2024/linqu-yeyuan/");
    let first = get(port, &page);
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    assert!(first.contains("临朐县冶源街道办事处"), "{first}");

    site.edit("content/linqu-yeyuan/2024/report.md", "一、总体情况", "一、总体情况\n\n在 Wine 中修改的一句话。\n");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if get(port, &page).contains("在 Wine 中修改的一句话。") {
            break;
        }
        assert!(Instant::now() < deadline, "the edit did not arrive within a minute");
        std::thread::sleep(Duration::from_millis(300));
    }
    drop(server);
}
