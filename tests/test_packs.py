"""Signed playbook packs: real zips, real Ed25519 keys, real installs into private folders,
and the library that offers only what a trusted key signed when IT requires signatures."""
from __future__ import annotations

import io
import json
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from app.cli import main
from app.errors import PackError
from app.library import library_sources, load_library
from app.packs import manifest as manifest_module
from app.packs.build import build_pack, sign_pack
from app.packs.install import install_pack, installed_packs, remove_pack
from app.packs.keys import key_id, new_key_pair, public_line, signing_key
from app.packs.manifest import MANIFEST, SIGNATURE, read_zip
from app.packs.trust import PackPolicy, TrustedKey, check_pack
from app.paths import library_dir
from app.settings import Settings, SettingsStore
from playbooks.errors import PlaybookErrors

SHIPPED = library_dir()


def playbook_text(pid: str, name: str) -> str:
    text = (SHIPPED / "sample-qt-intake.yaml").read_text(encoding="utf-8")
    return text.replace("id: sample-qt-intake", f"id: {pid}", 1).replace(
        "name: 受理登记（示例·桌面客户端）", f"name: {name}", 1)


def make_folder(tmp_path: Path, name: str = "clinic", pid: str = "pack-intake") -> Path:
    folder = tmp_path / name
    (folder / "samples" / pid).mkdir(parents=True)
    (folder / f"{pid}.yaml").write_text(playbook_text(pid, "包内受理"), encoding="utf-8")
    (folder / "samples" / pid / "notes.txt").write_text("sample notes\n", encoding="utf-8")
    return folder


def rezip(src: Path, dst: Path, change) -> None:
    """`src`'s entries through change(name, data) -> data | None (None drops it)."""
    files = read_zip(src)
    with zipfile.ZipFile(dst, "w") as z:
        for name, data in files.items():
            new = change(name, data)
            if new is not None:
                z.writestr(name, new)


@pytest.fixture
def keys():
    old, new = new_key_pair(), new_key_pair()
    return {"old": old, "new": new}


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A private system packs folder and preset for the CLI."""
    monkeypatch.setenv("DESKHAND_SYSTEM_PACKS", str(tmp_path / "system-packs"))
    monkeypatch.setenv("DESKHAND_PRESET", str(tmp_path / "preset.yaml"))
    (tmp_path / "preset.yaml").write_text("{}\n", encoding="utf-8")
    return tmp_path


def policy(*pairs, require=True) -> PackPolicy:
    return PackPolicy(tuple(TrustedKey(n, pub) for n, (_priv, pub) in pairs), require)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_build_sign_verify_install_then_the_library_offers_it(env, tmp_path, monkeypatch):
    folder = make_folder(tmp_path)
    zpath = tmp_path / "clinic.zip"
    code, out, err = run("pack", "build", str(folder), "-o", str(zpath), "--version", "1.2")
    assert code == 0, err
    first = zpath.read_bytes()
    assert run("pack", "build", str(folder), "-o", str(zpath), "--version", "1.2")[0] == 0
    assert zpath.read_bytes() == first                      # byte-identical rebuild
    doc = json.loads(read_zip(zpath)[MANIFEST])
    entry = next(f for f in doc["files"] if f["path"] == "pack-intake.yaml")
    assert len(entry["sha256"]) == 64 and len(entry["sm3"]) == 64
    assert (doc["id"], doc["version"]) == ("clinic", "1.2")

    code, line, err = run("pack", "keygen", "--name", "it-2026", "--out", str(tmp_path / "k.pem"))
    assert code == 0 and line.startswith("- {name: it-2026, key: ")
    assert stat.S_IMODE((tmp_path / "k.pem").stat().st_mode) == 0o600
    assert run("pack", "verify", str(zpath))[0] == 1        # unsigned
    assert run("pack", "sign", str(zpath), "--key", str(tmp_path / "k.pem"))[0] == 0
    (env / "preset.yaml").write_text(
        f"packs:\n  trusted_keys:\n  {line.strip()}\n  require_signature: true\n"
        f"audit: {{dir: {tmp_path / 'audit'}, checkpoint_file: {tmp_path / 'cp.jsonl'}}}\n",
        encoding="utf-8")
    code, out, _e = run("pack", "verify", str(zpath), "--json")
    assert code == 0 and json.loads(out)["signer"] == "it-2026"
    code, out, err = run("pack", "install", str(zpath))
    assert code == 0, err
    assert (env / "system-packs" / "clinic" / SIGNATURE).is_file()

    settings = SettingsStore(tmp_path / "user.yaml", env / "preset.yaml").load()
    assert settings.packs.require_signature
    sources = library_sources(settings)
    lib = load_library(sources.folders, sources.refused)
    assert "pack-intake" in [p.id for p in lib.playbooks] and lib.refused == []
    listed = json.loads(run("pack", "list", "--json")[1])["packs"]
    assert [(p["id"], p["version"], p["state"], p["offered"]) for p in listed] == \
        [("clinic", "1.2", "trusted", True)]

    assert run("pack", "remove", "clinic")[0] == 0
    assert not (env / "system-packs" / "clinic").exists()
    # each install and removal is an entry of the audit log, the chain intact to its checkpoint
    from app.audit.verify import read_entries
    events = [(e["event"], e["data"].get("id"), e["data"].get("outcome"))
              for _n, e, _l in read_entries(tmp_path / "audit" / "audit.jsonl") if e]
    assert ("pack_install", "clinic", "installed") in events and events[-1][0] == "pack_remove"
    code, out, err = run("audit", "verify", "--log", str(tmp_path / "audit" / "audit.jsonl"),
                         "--checkpoints", str(tmp_path / "cp.jsonl"))
    assert code == 0, out + err


def _built(tmp_path: Path, key=None) -> Path:
    zpath = tmp_path / "clinic.zip"
    build_pack(make_folder(tmp_path), zpath, version="1.0", private_key=key)
    return zpath


BAD = {   # kind: (reason, file named)
    "unsigned": ("unsigned", ""),
    "altered": ("changed", "pack-intake.yaml"),
    "added": ("added", "samples/pack-intake/extra.yaml"),
    "manifest edited": ("manifest", MANIFEST),
    "wrong key": ("unknown_key", ""),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_each_bad_pack_is_refused_with_its_reason(kind, tmp_path, keys):
    zpath = _built(tmp_path, keys["new"][0])
    bad = tmp_path / "bad.zip"
    if kind == "unsigned":
        bad = _built(tmp_path / "u")
    elif kind == "altered":
        rezip(zpath, bad, lambda n, d: d.replace("包内受理".encode(), "包内受埋".encode())
              if n == "pack-intake.yaml" else d)
    elif kind == "added":
        rezip(zpath, bad, lambda n, d: d)
        with zipfile.ZipFile(bad, "a") as z:
            z.writestr("samples/pack-intake/extra.yaml", "x: 1\n")
    elif kind == "manifest edited":
        rezip(zpath, bad, lambda n, d: d.replace(b'"1.0"', b'"9.0"') if n == MANIFEST else d)
    else:
        sign_pack(zpath, keys["old"][0])
        bad = zpath
    reason, file = BAD[kind]
    root = tmp_path / "packs"
    with pytest.raises(PackError) as caught:
        install_pack(bad, root, policy(("it", keys["new"])))
    assert caught.value.reason == reason
    assert caught.value.file == file
    if reason == "unknown_key":
        assert key_id(keys["old"][1]) in caught.value.message
    assert not (root / "clinic").exists()


def test_unsafe_zips_are_refused(tmp_path, monkeypatch):
    for name in ("../evil.yaml", "/etc/evil.yaml", "a\\..\\evil.yaml"):
        z = tmp_path / "trav.zip"
        with zipfile.ZipFile(z, "w") as w:
            w.writestr(name, "x")
        with pytest.raises(PackError) as caught:
            read_zip(z)
        assert caught.value.reason == "unsafe"
    link = zipfile.ZipInfo("link.yaml")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(tmp_path / "link.zip", "w") as w:
        w.writestr(link, "/etc/passwd")
    with pytest.raises(PackError, match="link"):
        read_zip(tmp_path / "link.zip")
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as w:
        w.writestr("big.yaml", b"\0" * 200_000)
    monkeypatch.setattr(manifest_module, "MAX_FILE_BYTES", 100_000)
    with pytest.raises(PackError, match="more than a pack may hold"):
        read_zip(tmp_path / "bomb.zip")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "x.yaml").symlink_to("/etc/passwd")
    with pytest.raises(PackError, match="link"):
        build_pack(tmp_path / "folder", tmp_path / "f.zip")


def test_a_broken_playbook_fails_the_build_with_file_and_line(tmp_path, env):
    folder = make_folder(tmp_path)
    pb = folder / "pack-intake.yaml"
    pb.write_text(pb.read_text(encoding="utf-8").replace("department: 示例",
                                                         "department: 示例\nsurprise: 1"), "utf-8")
    with pytest.raises(PlaybookErrors) as caught:
        build_pack(folder, tmp_path / "x.zip")
    assert str(caught.value).startswith(f"{pb}:5:")
    code, _out, err = run("pack", "build", str(folder), "-o", str(tmp_path / "x.zip"))
    assert code == 2 and f"{pb}:5:" in err and not (tmp_path / "x.zip").exists()


def test_a_file_edited_after_install_is_caught_when_the_library_loads(tmp_path, keys):
    root = tmp_path / "packs"
    trust = policy(("it", keys["new"]))
    install_pack(_built(tmp_path, keys["new"][0]), root, trust)
    settings = Settings(packs=trust)
    assert "pack-intake" in [p.id for p in load_library(library_sources(settings, [root]).folders).playbooks]
    pb = root / "clinic" / "pack-intake.yaml"
    pb.write_text(pb.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    sources = library_sources(settings, [root])
    lib = load_library(sources.folders, sources.refused)
    assert "pack-intake" not in [p.id for p in lib.playbooks]
    assert lib.refused[0][0] == root / "clinic" and "pack-intake.yaml of the pack clinic was changed" in lib.refused[0][1]
    # without the requirement everything loads as before
    loose = Settings(packs=PackPolicy(trust.trusted_keys, False))
    assert "pack-intake" in [p.id for p in load_library(library_sources(loose, [root]).folders).playbooks]


def test_loose_folders_are_refused_when_signatures_are_required(tmp_path, keys):
    folder = make_folder(tmp_path)
    required = Settings(playbook_dirs=[str(folder)], packs=policy(("it", keys["new"])))
    sources = library_sources(required, [tmp_path / "none"])
    assert sources.folders == [] and sources.refused[0][0] == folder
    free = Settings(playbook_dirs=[str(folder)])
    assert library_sources(free, [tmp_path / "none"]).folders == [folder]


def test_key_rotation_old_packs_become_unknown_key(tmp_path, keys):
    root = tmp_path / "packs"
    both = policy(("old", keys["old"]), ("new", keys["new"]))
    install_pack(_built(tmp_path / "a", keys["old"][0]), root, both)
    second = tmp_path / "b"
    zpath = second / "later.zip"
    build_pack(make_folder(second, "later", "later-intake"), zpath, private_key=keys["new"][0])
    install_pack(zpath, root, both)
    assert [p.state for p in installed_packs([root], both)] == ["trusted", "trusted"]
    only_new = policy(("new", keys["new"]))
    states = {p.id: (p.state, p.problem) for p in installed_packs([root], only_new)}
    assert states["later"] == ("trusted", "")
    assert states["clinic"][0] == "refused"
    assert f"unknown key {key_id(keys['old'][1])}" in states["clinic"][1]
    # re-signed with the new key, the old pack is trusted again
    old_zip = tmp_path / "a" / "clinic.zip"
    sign_pack(old_zip, keys["new"][0])
    assert install_pack(old_zip, root, only_new).state == "trusted"


def test_an_older_version_needs_force_and_audit_hears_each_outcome(tmp_path, keys):
    root, trust, heard = tmp_path / "packs", policy(("it", keys["new"])), []
    folder = make_folder(tmp_path)
    for version in ("2.0", "1.5"):
        build_pack(folder, tmp_path / f"{version}.zip", version=version, private_key=keys["new"][0])
    install_pack(tmp_path / "2.0.zip", root, trust, audit=lambda e, d: heard.append((e, d)))
    with pytest.raises(PackError) as caught:
        install_pack(tmp_path / "1.5.zip", root, trust, audit=lambda e, d: heard.append((e, d)))
    assert caught.value.reason == "older" and "--force" in caught.value.message
    assert install_pack(tmp_path / "1.5.zip", root, trust, force=True).version == "1.5"
    remove_pack("clinic", root, audit=lambda e, d: heard.append((e, d)))
    assert [(e, d["outcome"]) for e, d in heard] == [
        ("pack_install", "installed"), ("pack_install", "refused"), ("pack_remove", "removed")]
    assert heard[0][1]["key_id"] == key_id(keys["new"][1]) and heard[0][1]["version"] == "2.0"
    assert not [p for p in root.iterdir()]          # no staging folders left behind


def test_install_test_refuses_a_pack_whose_golden_sample_fails(env, tmp_path):
    folder = tmp_path / "company-setup"
    shutil.copytree(SHIPPED / "company-setup", folder)
    good = tmp_path / "good.zip"
    assert run("pack", "build", str(folder), "-o", str(good))[0] == 0
    assert run("pack", "install", str(good), "--test")[0] == 0
    assert run("test", str(good))[0] == 0                  # deskhand test PACK.zip
    expected = folder / "samples" / "scenario" / "case-1" / "expected.yaml"
    text = expected.read_text(encoding="utf-8")
    assert "企业名称: " in text
    expected.write_text(text.replace("企业名称: ", "企业名称: 错", 1), encoding="utf-8")
    bad = tmp_path / "bad.zip"
    assert run("pack", "build", str(folder), "-o", str(bad), "--version", "1.1")[0] == 0
    code, out, _err = run("test", str(bad))
    assert code == 1 and "✗" in out
    code, out, _err = run("pack", "install", str(bad), "--test", "--json")
    doc = json.loads(out)
    assert code == 1 and doc["reason"] == "samples" and "企业名称" in doc["problem"]
    installed = json.loads(run("pack", "list", "--json")[1])["packs"]
    assert [p["version"] for p in installed] == ["1.0"]     # the good one stays


def test_keys_from_the_keyring_and_the_public_line(tmp_path):
    private, public = new_key_pair()
    stored = {"pack.signing.it-2026": private.hex()}
    assert signing_key("it-2026", stored.__getitem__) == private
    from app.packs.keys import parse_public_key
    line = public_line("it-2026", public)
    assert parse_public_key(line.split("key: ")[1].rstrip("}")) == public
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    pem = Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    assert parse_public_key(pem) == public


def test_the_preset_packs_section_is_checked(tmp_path):
    preset = tmp_path / "preset.yaml"
    preset.write_text("packs: {require_signature: true, trusted_keys: [{name: a, key: nope}]}\n",
                      encoding="utf-8")
    from app.errors import PresetError
    with pytest.raises(PresetError, match="trusted key a"):
        SettingsStore(tmp_path / "u.yaml", preset).load()
    preset.write_text("packs: {require_signature: true}\n", encoding="utf-8")
    with pytest.raises(PresetError, match="no trusted_keys"):
        SettingsStore(tmp_path / "u.yaml", preset).load()
    # a clerk's own settings file cannot hold packs:
    (tmp_path / "u.yaml").write_text("packs: {require_signature: false}\n", encoding="utf-8")
    store = SettingsStore(tmp_path / "u.yaml", None)
    assert store.load().packs == PackPolicy() and store.problems


def test_check_pack_names_a_missing_file(tmp_path, keys):
    zpath = _built(tmp_path, keys["new"][0])
    files = read_zip(zpath)
    del files["samples/pack-intake/notes.txt"]
    with pytest.raises(PackError) as caught:
        check_pack(files, policy(("it", keys["new"])), zpath)
    assert (caught.value.reason, caught.value.file) == ("missing", "samples/pack-intake/notes.txt")


def test_deskhand_check_says_which_packs_are_not_offered(env, tmp_path, keys):
    install_pack(_built(tmp_path), env / "system-packs", PackPolicy())      # unsigned
    (env / "preset.yaml").write_text(
        f"packs:\n  trusted_keys:\n  {public_line('it', keys['new'][1])}\n"
        "  require_signature: true\n", encoding="utf-8")
    code, _out, err = run("check", str(SHIPPED / "sample-qt-intake.yaml"))
    assert code == 0
    assert "Not offered in the tray" in err and "clinic is not signed" in err


def test_a_broken_preset_offers_only_what_ships(tmp_path, monkeypatch, keys):
    """A preset that cannot be read may be the one requiring signatures: fail closed (an
    unsigned installed pack is not offered) and say why."""
    from app.pipeline import load_settings
    preset = tmp_path / "preset.yaml"
    preset.write_text("packs: [this is not a mapping\n", encoding="utf-8")
    monkeypatch.setenv("DESKHAND_PRESET", str(preset))
    settings, problems = load_settings()
    assert settings.packs.require_signature and not settings.packs.trusted_keys
    assert "only the playbooks that ship with Deskhand" in problems[0]
    from app.ui.app import _load_settings       # the tray loads its settings with their store
    tray_settings, store, problem = _load_settings()
    assert tray_settings.packs.require_signature and store is None
    assert problem is not None and "only the playbooks that ship with Deskhand" in problem
    root = tmp_path / "packs"
    install_pack(_built(tmp_path), root, PackPolicy())          # unsigned, installed freely
    assert library_sources(Settings(), [root]).folders == [root / "clinic"]
    sources = library_sources(settings, [root])
    assert sources.folders == [] and sources.refused[0][0] == root / "clinic"


def test_a_playbook_file_outside_trusted_packs_types_nothing_when_signatures_are_required(
        tmp_path, keys):
    """`deskhand fill /some/file.yaml` must not slip past the tray's rule: refused at the
    gate, before a key, the case kept; a shipped playbook still fills."""
    from app.desktop.dummy import DummyDesktop
    from app.fill.engine import FillOptions
    from app.pipeline import PipelineOptions, build_pipeline
    from app.cases import case_from_values
    from app.errors import PackError
    desktop = DummyDesktop()
    required = Settings(packs=policy(("it", keys["new"])))
    pipe = build_pipeline(PipelineOptions(settings=required, cases_dir=tmp_path / "cases",
                                          desktop_factory=lambda: desktop))
    loose = pipe.playbook(str(make_folder(tmp_path) / "pack-intake.yaml"))
    case = case_from_values({"name": "张三"}, loose.id, {"kind": "test"})
    with pytest.raises(PackError) as info:
        pipe.fill(loose, case, tmp_path / "c.json", FillOptions())
    assert info.value.reason == "untrusted" and "nothing was typed" in info.value.message
    assert not any(desktop.received.values()) and (tmp_path / "c.json").is_file()
    assert pipe.library.offers_file(pipe.playbook("sample-qt-intake").path)
