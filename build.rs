//! Puts the commit into `portal --version`, and gives the Windows binary its
//! application manifest: long paths, and UTF-8 as the process's code page.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let commit = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".to_owned());
    // A new commit changes HEAD's reflog; HEAD itself changes on a checkout.
    for file in ["HEAD", "logs/HEAD"] {
        if let Some(path) = git(&["rev-parse", "--git-path", file]) {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    let version = env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rustc-env=PORTAL_VERSION={version} ({commit})");

    let target = env::var("TARGET").unwrap_or_default();
    if target.ends_with("-windows-gnu") {
        windows_manifest(&target);
    }
}

/// What `git <args>` prints, trimmed; `None` outside a repository or without git.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok().filter(|o| o.status.success())?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// Compiles the manifest into a resource object with mingw's `windres` and
/// links it into the binaries. Without the manifest Windows caps paths at
/// 260 characters unless std adds `\\?\`, and reads the ANSI code page.
fn windows_manifest(target: &str) {
    println!("cargo:rerun-if-env-changed=WINDRES");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let manifest = out.join("portal.exe.manifest");
    let number = |key: &str| env::var(key).ok().and_then(|v| v.parse::<u16>().ok()).unwrap_or(0);
    let version = format!(
        "{}.{}.{}.0",
        number("CARGO_PKG_VERSION_MAJOR"),
        number("CARGO_PKG_VERSION_MINOR"),
        number("CARGO_PKG_VERSION_PATCH")
    );
    write(&manifest, &MANIFEST.replace("{version}", &version));
    let rc = out.join("portal.rc");
    // 1 is CREATEPROCESS_MANIFEST_RESOURCE_ID, 24 RT_MANIFEST.
    write(&rc, &format!("1 24 \"{}\"\n", manifest.display().to_string().replace('\\', "/")));
    let object = out.join("portal-manifest.o");
    let arch = target.split('-').next().unwrap_or("x86_64");
    let windres = env::var("WINDRES").unwrap_or_else(|_| format!("{arch}-w64-mingw32-windres"));
    let status = Command::new(&windres).arg("-O").arg("coff").arg("-i").arg(&rc).arg("-o").arg(&object).status();
    match status {
        Ok(s) if s.success() => println!("cargo:rustc-link-arg-bins={}", object.display()),
        Ok(s) => panic!("{windres} failed ({s}) on {}", rc.display()),
        // Without mingw's binutils: a binary without the manifest, and a warning saying so.
        Err(e) => {
            println!("cargo:warning=no application manifest: cannot run {windres} ({e}); install binutils-mingw-w64")
        }
    }
}

fn write(path: &Path, text: &str) {
    fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0">
  <assemblyIdentity type="win32" name="portal" version="{version}"/>
  <compatibility xmlns="urn:schemas-microsoft-com:compatibility.v1">
    <application>
      <!-- Windows 10 and 11 -->
      <supportedOS Id="{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"/>
    </application>
  </compatibility>
  <application xmlns="urn:schemas-microsoft-com:asm.v3">
    <windowsSettings>
      <longPathAware xmlns="http://schemas.microsoft.com/SMI/2016/WindowsSettings">true</longPathAware>
      <activeCodePage xmlns="http://schemas.microsoft.com/SMI/2019/WindowsSettings">UTF-8</activeCodePage>
    </windowsSettings>
  </application>
  <trustInfo xmlns="urn:schemas-microsoft-com:asm.v3">
    <security>
      <requestedPrivileges>
        <requestedExecutionLevel level="asInvoker" uiAccess="false"/>
      </requestedPrivileges>
    </security>
  </trustInfo>
</assembly>
"#;
