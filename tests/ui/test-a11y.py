#!/usr/bin/python3
# test-a11y.py BUZON BUZON_CLI SCHEMA_DIR
#
# The real app, driven from outside through AT-SPI (dogtail), the way a screen
# reader sees it: every button has a name (not a widget class name), both
# accounts added with buzon-cli are listed under names that say where their
# mail lives, the main menu opens the About window, and New Message opens a
# composer whose fields and buttons are named.
#
# Exits 77 (skipped) without a display or without dogtail. Needs a session
# bus with the AT-SPI services (dbus-run-session; at-spi2-core).
#
# Copyright 2026 The Buzón developers
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77
TIMEOUT = 20.0


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIP)


if not os.environ.get("DISPLAY"):
    skip("no display; run the UI tests under xvfb-run and dbus-run-session")
if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
    skip("no session bus; run the UI tests under dbus-run-session")

try:
    from dogtail.config import config
    config.checkForA11y = False
    config.logDebugToFile = False
    config.searchCutoffCount = 3
    config.defaultDelay = 0.1
    from dogtail import tree
except ImportError as e:
    skip(f"dogtail is not installed ({e}); apt-get install python3-dogtail")


def wait_for(what, find):
    """Polls find() until it returns something true, or fails after TIMEOUT."""
    end = time.monotonic() + TIMEOUT
    while True:
        try:
            found = find()
        except Exception:  # nodes come and go while GTK builds the window
            found = None
        if found:
            return found
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def find_all(root, pred):
    return root.findChildren(pred)


def main():
    buzon, cli, schema_dir = sys.argv[1:4]
    tmp = tempfile.mkdtemp(prefix="buzon-a11y-")
    env = dict(os.environ)
    for d in ("home", "data", "config", "cache"):
        os.makedirs(os.path.join(tmp, d))
    env.update({
        "HOME": os.path.join(tmp, "home"),
        "XDG_DATA_HOME": os.path.join(tmp, "data"),
        "XDG_CONFIG_HOME": os.path.join(tmp, "config"),
        "XDG_CACHE_HOME": os.path.join(tmp, "cache"),
        "GSETTINGS_SCHEMA_DIR": schema_dir,
        "GSETTINGS_BACKEND": "memory",
        "LANGUAGE": "en",
        # The accounts name hosts that do not exist; tests only ever talk
        # to 127.0.0.1, so the app does not try to sync them.
        "BUZON_NO_SYNC": "1",
        # The app runs as strictly as the in-process tests; this script's
        # own GLib (through dogtail) must not, as AT-SPI warns in passing.
        "G_DEBUG": os.environ.get("BUZON_APP_G_DEBUG", "gc-friendly,fatal-warnings"),
    })

    accounts = [
        ("Work", "ana@example.com", "imap", "imap.example.com",
         "Work, ana@example.com, Kept on the server (IMAP)"),
        ("Home", "ana@isp.example.net", "pop3", "pop.isp.example.net",
         "Home, ana@isp.example.net, Downloaded to this computer (POP3)"),
    ]
    for name, address, protocol, host, _ in accounts:
        subprocess.run([cli, "account", "add", name, f"--address={address}",
                        f"--protocol={protocol}", f"--host={host}", "--security=tls",
                        "--password-command=echo unused"],
                       env=env, check=True, stdout=subprocess.DEVNULL)

    app_proc = subprocess.Popen([buzon], env=env)
    try:
        app = wait_for("the buzon application on the AT-SPI bus",
                       lambda: tree.root.application("buzon"))
        window = wait_for("the main window",
                          lambda: app.findChild(lambda n: n.roleName == "frame"
                                                and n.name == "Buzón", retry=False))

        # Both accounts, named for a screen reader. GTK 4.8 lets a list
        # view's row name itself only through its child (the tree expander),
        # so the name is looked for on any node.
        for _, _, _, _, label in accounts:
            wait_for(f"the account row '{label}'",
                     lambda label=label: find_all(window, lambda n: n.name == label))
        print("ok - both accounts are listed with accessible names")

        # Every button has a real name: not empty, not a GType name (what
        # GTK 4.8 shows when a widget has no label or accessible label).
        buttons = find_all(window, lambda n: n.roleName in ("push button", "toggle button"))
        assert buttons, "no buttons found"
        for b in buttons:
            name = b.name or ""
            assert name and not name.startswith(("Gtk", "Adw")), \
                f"a {b.roleName} has no accessible name ({name!r})"
        print(f"ok - all {len(buttons)} buttons have accessible names")

        # Main Menu → About Buzón opens the About window.
        menu_button = wait_for("the Main Menu button",
                               lambda: [b for b in find_all(window, lambda n: n.name == "Main Menu"
                                                            and n.roleName == "push button")
                                        if "click" in b.actions])
        menu_button[0].doActionNamed("click")
        # The grouping toggle is there, named and checkable (its state is
        # the setting's, on by default).
        group_item = wait_for("the Group by Conversation menu item",
                              lambda: app.findChild(lambda n: n.name == "Group by Conversation"
                                                    and "menu item" in n.roleName, retry=False))
        assert group_item.roleName == "check menu item", \
            f"Group by Conversation is a {group_item.roleName}"
        print("ok - the main menu has Group by Conversation, a check menu item")
        about_item = wait_for("the About Buzón menu item",
                              lambda: app.findChild(lambda n: n.roleName == "menu item"
                                                    and n.name == "About Buzón", retry=False))
        about_item.doActionNamed("click")
        wait_for("the About window",
                 lambda: [c for c in app.children if c.roleName == "frame" and c.name == "About"])
        print("ok - the main menu opens the About window")

        # New Message opens the composer; its fields and buttons are named
        # (Cc and Bcc once revealed).
        new_message = wait_for("the New Message button",
                               lambda: [b for b in find_all(window, lambda n: n.name == "New Message"
                                                            and n.roleName == "push button")
                                        if "click" in b.actions])
        new_message[0].doActionNamed("click")
        # GTK 4.8 shows an AdwWindow as a "filler", not a "frame".
        composer = wait_for("the composer",
                            lambda: [c for c in app.children if c.name == "New Message"])[0]
        # Named once, by their mnemonic labels: "To", not "To To".
        for name in ("From", "To", "Subject", "Message Text"):
            wait_for(f"the composer's field '{name}'",
                     lambda name=name: find_all(composer, lambda n: n.name == name
                                                and n.roleName != "label"))
        for name in ("Attach Files", "Send"):
            wait_for(f"the composer's button '{name}'",
                     lambda name=name: find_all(composer, lambda n: n.name == name
                                                and n.roleName == "push button"))
        toggle = wait_for("the Cc, Bcc toggle",
                          lambda: [b for b in find_all(composer, lambda n: n.name == "Cc, Bcc"
                                                       and n.roleName != "label")
                                   if "click" in b.actions])
        toggle[0].doActionNamed("click")
        for name in ("Cc", "Bcc"):
            wait_for(f"the composer's field '{name}'",
                     lambda name=name: find_all(composer, lambda n: n.name == name
                                                and n.roleName == "text"))
        buttons = find_all(composer, lambda n: n.roleName in ("push button", "toggle button"))
        for b in buttons:
            name = b.name or ""
            assert name and not name.startswith(("Gtk", "Adw")), \
                f"a composer {b.roleName} has no accessible name ({name!r})"
            # A mnemonic's underscore read out is not a name either.
            assert "_" not in name, f"a composer {b.roleName} is named {name!r}"
        print(f"ok - the composer's fields and {len(buttons)} buttons have accessible names")
    finally:
        app_proc.terminate()
        try:
            app_proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app_proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    # The app must not have crashed on the way (terminate gives -15).
    assert app_proc.returncode in (0, -15), f"buzon exited with {app_proc.returncode}"


if __name__ == "__main__":
    main()
