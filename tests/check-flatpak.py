#!/usr/bin/env python3
# check-flatpak.py SOURCE_ROOT
#
# Offline checks of the Flatpak manifest and the desktop integration files,
# so that a change to one of them cannot leave the others behind:
#
#  - the manifest parses (with `flatpak-builder --show-manifest` when it is
#    installed, which also rejects properties flatpak-builder does not know;
#    with Python's json otherwise), uses the GNOME runtime and SDK, and every
#    source fetched from the network is pinned (sha256, or a git commit);
#  - a `dir` source points at this source tree;
#  - each finish-arg is explained in flatpak/README.md, and none opens the
#    home directory or the host file system;
#  - the app id is the same in the manifest, meson.build, the desktop file's
#    name and Icon, the metainfo's id and launchable, the icon file names and
#    the GSettings schema id;
#  - the manifest's command is an executable meson installs, and the desktop
#    file runs it;
#  - the icons are SVG documents, and data/meson.build installs them;
#  - every screenshot the metainfo references is a PNG in data/screenshots/
#    (under 300 KiB), exactly one is the default, and no file there is unused;
#  - `glib-compile-schemas --strict --dry-run data/` passes.
#
# Prints one line per check and exits 1 when any fails. FLATPAK_BUILDER=PATH
# names the flatpak-builder to use; FLATPAK_BUILDER= (empty) parses with json
# only.
#
# Copyright 2026 The Buzón developers
# SPDX-License-Identifier: GPL-3.0-or-later

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SCREENSHOT_URL = "https://raw.githubusercontent.com/buzonmail/Buzon/main/"
SCREENSHOT_MAX_BYTES = 300 * 1024
# Not to be granted: files come and go through the file chooser portal.
FORBIDDEN_ARGS = re.compile(r"^--filesystem=(home|host|host-os|host-etc|~)(/|:|$)|^--socket=x11$")

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)
    return ok


def load_manifest(path):
    """The manifest as flatpak-builder reads it, or as plain JSON."""
    builder = os.environ.get("FLATPAK_BUILDER")
    if builder is None:
        builder = shutil.which("flatpak-builder")
    if builder:
        # --show-manifest leaves a .flatpak-builder directory in the current one.
        with tempfile.TemporaryDirectory() as tmp:
            run = subprocess.run([builder, "--show-manifest", path], cwd=tmp,
                                 capture_output=True, text=True)
        unknown = [l for l in run.stderr.splitlines() if "Unknown property" in l]
        check(run.returncode == 0, "flatpak-builder --show-manifest parses the manifest"
              + ("" if run.returncode == 0 else ": " + run.stderr.strip()))
        check(not unknown, "flatpak-builder knows every property"
              + ("" if not unknown else ": " + "; ".join(unknown)))
        if run.returncode != 0:
            return None
        return json.loads(run.stdout)
    print("note  no flatpak-builder (not installed, or FLATPAK_BUILDER is empty): "
          "parsing the manifest as JSON")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        check(False, f"the manifest parses as JSON: {e}")
        return None


def walk_modules(modules, manifest_dir):
    """Every module, nested ones and ones in other files included."""
    for module in modules:
        if isinstance(module, str):
            sub = os.path.join(manifest_dir, module)
            with open(sub, encoding="utf-8") as f:
                module = json.load(f)
            yield from walk_modules([module], os.path.dirname(sub))
            continue
        yield module
        yield from walk_modules(module.get("modules", []), manifest_dir)


def check_manifest(srcroot, path, app_id):
    manifest = load_manifest(path)
    if manifest is None:
        return None
    manifest_dir = os.path.dirname(path)
    mid = manifest.get("id") or manifest.get("app-id")
    check(mid == app_id, f"the manifest's id is {app_id} (it is {mid})")
    check(manifest.get("runtime") == "org.gnome.Platform", "the runtime is org.gnome.Platform")
    check(manifest.get("sdk") == "org.gnome.Sdk", "the SDK is org.gnome.Sdk")
    check(bool(manifest.get("runtime-version")), "the runtime version is set")

    own_tree = False
    for module in walk_modules(manifest.get("modules", []), manifest_dir):
        name = module.get("name", "?")
        for source in module.get("sources", []):
            if isinstance(source, str):
                continue
            kind = source.get("type")
            if kind in ("archive", "file", "extra-data") or "url" in source:
                check(bool(re.fullmatch(r"[0-9a-f]{64}", source.get("sha256", ""))),
                      f"module {name}: {source.get('url')} has a sha256")
            elif kind == "git":
                check(bool(source.get("commit")), f"module {name}: git {source.get('url')} "
                      "is pinned to a commit")
            elif kind == "dir":
                target = os.path.realpath(os.path.join(manifest_dir, source.get("path", "")))
                own = target == os.path.realpath(srcroot)
                check(own or os.path.isdir(target), f"module {name}: dir {source.get('path')} exists")
                if own:
                    own_tree = True
                    check(module.get("buildsystem") == "meson",
                          f"module {name} builds this tree with meson")
    check(own_tree, "a module builds this source tree (a dir source with path ..)")

    readme_path = os.path.join(srcroot, "flatpak", "README.md")
    readme = open(readme_path, encoding="utf-8").read() if os.path.exists(readme_path) else ""
    for arg in manifest.get("finish-args", []):
        check(not FORBIDDEN_ARGS.search(arg), f"finish-arg {arg} is not one of the forbidden")
        check(f"`{arg}`" in readme, f"finish-arg {arg} is explained in flatpak/README.md")
    return manifest


def meson_executables(srcroot):
    """Names of the executables meson installs (executable('name', ... install: true))."""
    names = set()
    for dirpath, dirnames, filenames in os.walk(srcroot):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and not d.startswith("build")]
        if "meson.build" not in filenames:
            continue
        text = open(os.path.join(dirpath, "meson.build"), encoding="utf-8").read()
        for m in re.finditer(r"executable\(\s*'([^']+)'(.*?)\n\)", text, re.S):
            if re.search(r"install\s*:\s*true", m.group(2)):
                names.add(m.group(1))
    return names


def check_svg(path, what):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        return check(False, f"{what} is a valid SVG document: {e}")
    return check(root.tag == "{http://www.w3.org/2000/svg}svg", f"{what} is an SVG document")


def main():
    if len(sys.argv) != 2:
        print("usage: check-flatpak.py SOURCE_ROOT", file=sys.stderr)
        return 2
    srcroot = os.path.abspath(sys.argv[1])
    data = os.path.join(srcroot, "data")

    top = open(os.path.join(srcroot, "meson.build"), encoding="utf-8").read()
    m = re.search(r"^app_id\s*=\s*'([^']+)'", top, re.M)
    if not check(m is not None, "meson.build sets app_id"):
        return 1
    app_id = m.group(1)

    manifest_path = os.path.join(srcroot, "flatpak", app_id + ".json")
    manifest = None
    if check(os.path.exists(manifest_path), f"flatpak/{app_id}.json exists"):
        manifest = check_manifest(srcroot, manifest_path, app_id)

    # The desktop file: its name, icon and command.
    desktop_path = os.path.join(data, app_id + ".desktop.in")
    desktop = configparser.ConfigParser(interpolation=None, strict=False)
    desktop.optionxform = str
    if check(os.path.exists(desktop_path), f"data/{app_id}.desktop.in exists"):
        desktop.read(desktop_path, encoding="utf-8")
        entry = desktop["Desktop Entry"]
        check(entry.get("Icon") == app_id, f"the desktop file's Icon is {app_id}")
        execs = [entry.get("Exec", "")] + [desktop[s].get("Exec", "") for s in desktop.sections()
                                           if s.startswith("Desktop Action ")]
        command = manifest.get("command") if manifest else None
        installed = meson_executables(srcroot)
        if manifest:
            check(command in installed, f"the manifest's command {command} is an executable "
                  f"meson installs ({', '.join(sorted(installed))})")
        for e in execs:
            check(e.split()[0:1] == [command or "buzon"],
                  f"the desktop file's Exec={e} runs the manifest's command")

    # The metainfo: id, launchable, screenshots.
    metainfo_path = os.path.join(data, app_id + ".metainfo.xml.in")
    if check(os.path.exists(metainfo_path), f"data/{app_id}.metainfo.xml.in exists"):
        root = ET.parse(metainfo_path).getroot()
        check(root.findtext("id") == app_id, f"the metainfo's id is {app_id}")
        check(root.findtext("launchable") == app_id + ".desktop",
              f"the metainfo's launchable is {app_id}.desktop")
        shots_dir = os.path.join(data, "screenshots")
        used = set()
        defaults = 0
        shots = root.findall("screenshots/screenshot")
        check(len(shots) > 0, "the metainfo has screenshots")
        for number, shot in enumerate(shots, 1):
            defaults += shot.get("type") == "default"
            images = shot.findall("image")
            check(bool(shot.findtext("caption")) and bool(images),
                  f"screenshot {number} has a caption and an image")
            for image in images:
                url = (image.text or "").strip()
                rel = url[len(SCREENSHOT_URL):] if url.startswith(SCREENSHOT_URL) else None
                if not check(rel is not None and rel.startswith("data/screenshots/"),
                             f"screenshot {url} is in data/screenshots/ on the main branch"):
                    continue
                path = os.path.join(srcroot, rel)
                used.add(os.path.basename(rel))
                if not check(os.path.isfile(path), f"screenshot {rel} exists"):
                    continue
                with open(path, "rb") as f:
                    check(f.read(8) == b"\x89PNG\r\n\x1a\n", f"screenshot {rel} is a PNG")
                size = os.path.getsize(path)
                check(size <= SCREENSHOT_MAX_BYTES,
                      f"screenshot {rel} is at most {SCREENSHOT_MAX_BYTES // 1024} KiB "
                      f"({size // 1024} KiB)")
        check(defaults == 1, f"exactly one screenshot is the default ({defaults})")
        present = set(os.listdir(shots_dir)) if os.path.isdir(shots_dir) else set()
        unused = sorted(present - used)
        check(not unused, "every file in data/screenshots/ is referenced"
              + ("" if not unused else ": " + ", ".join(unused)))

    # The icons, and that they are installed.
    data_meson = open(os.path.join(data, "meson.build"), encoding="utf-8").read()
    for rel, installed_as in (
            (f"icons/hicolor/scalable/apps/{app_id}.svg",
             "'icons/hicolor/scalable/apps/' + app_id + '.svg'"),
            (f"icons/hicolor/symbolic/apps/{app_id}-symbolic.svg",
             "'icons/hicolor/symbolic/apps/' + app_id + '-symbolic.svg'")):
        if check(os.path.isfile(os.path.join(data, rel)), f"data/{rel} exists"):
            check_svg(os.path.join(data, rel), f"data/{rel}")
        check(installed_as in data_meson, f"data/meson.build installs data/{rel}")

    # The GSettings schema: its id, and that it compiles strictly.
    schema_path = os.path.join(data, app_id + ".gschema.xml")
    if check(os.path.exists(schema_path), f"data/{app_id}.gschema.xml exists"):
        ids = [s.get("id") for s in ET.parse(schema_path).getroot().findall("schema")]
        check(app_id in ids, f"the GSettings schema id is {app_id} ({', '.join(ids)})")
    compiler = shutil.which("glib-compile-schemas")
    if check(compiler is not None, "glib-compile-schemas is installed"):
        run = subprocess.run([compiler, "--strict", "--dry-run", data],
                             capture_output=True, text=True)
        check(run.returncode == 0, "glib-compile-schemas --strict --dry-run data/ passes"
              + ("" if run.returncode == 0 else ": " + (run.stderr or run.stdout).strip()))

    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
