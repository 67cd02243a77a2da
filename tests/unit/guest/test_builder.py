"""build_tiny's cache: what makes it rebuild and what lets it return at once."""

from __future__ import annotations

import os

import pytest

from novalite.guest import builder, debs


@pytest.fixture
def fake_apt(monkeypatch):
    """apt answers from `state`; _build writes small files and counts its calls."""
    state = {"versions": ("linux-image-6.1.0-9-cloud-amd64", "6.1.1-1", "1:1.35"),
             "stamp": 1, "builds": 0}

    def resolve_versions():
        if state["versions"] is None:
            raise debs.PackageError("offline")
        return state["versions"]

    def fake_build(output_dir, kernel_package, kernel_version, busybox_version):
        state["builds"] += 1
        paths = {}
        for name in ("kernel", "initramfs", "disk"):
            paths[name] = os.path.join(output_dir, name)
            with open(paths[name], "w") as handle:
                handle.write(f"{name} {kernel_version}")
        return builder.TinyImage(
            **paths, kernel_sha256="k", initramfs_sha256="i", disk_sha256="d",
            cmdline=builder.CMDLINE, kernel_package=kernel_package,
            kernel_version=kernel_version, kernel_release="6.1.0-9-cloud-amd64",
            busybox_version=busybox_version, modules=("virtio_ring", "virtio"))

    monkeypatch.setattr(debs, "resolve_versions", resolve_versions)
    monkeypatch.setattr(debs, "index_stamp", lambda: state["stamp"])
    monkeypatch.setattr(builder, "_build", fake_build)
    return state


def test_second_call_returns_the_cached_image(tmp_path, fake_apt) -> None:
    first = builder.build_tiny(str(tmp_path))
    assert first.cmdline == "console=tty1 console=ttyS0 quiet"
    assert first.modules == ("virtio_ring", "virtio")
    fake_apt["versions"] = None  # not even asked: the apt indexes did not change
    assert builder.build_tiny(str(tmp_path)) == first
    assert fake_apt["builds"] == 1


def test_new_apt_indexes_with_the_same_versions_do_not_rebuild(tmp_path, fake_apt) -> None:
    first = builder.build_tiny(str(tmp_path))
    fake_apt["stamp"] = 2
    assert builder.build_tiny(str(tmp_path)) == first
    assert fake_apt["builds"] == 1


def test_a_new_kernel_version_rebuilds(tmp_path, fake_apt) -> None:
    builder.build_tiny(str(tmp_path))
    fake_apt["stamp"] = 2
    fake_apt["versions"] = ("linux-image-6.1.0-9-cloud-amd64", "6.1.1-2", "1:1.35")
    image = builder.build_tiny(str(tmp_path))
    assert image.kernel_version == "6.1.1-2"
    assert fake_apt["builds"] == 2


def test_force_and_missing_files_rebuild(tmp_path, fake_apt) -> None:
    image = builder.build_tiny(str(tmp_path))
    builder.build_tiny(str(tmp_path), force=True)
    os.remove(image.initramfs)
    builder.build_tiny(str(tmp_path))
    assert fake_apt["builds"] == 3


def test_offline_uses_the_last_build_and_fails_without_one(tmp_path, fake_apt) -> None:
    fake_apt["versions"] = None
    with pytest.raises(debs.PackageError):
        builder.build_tiny(str(tmp_path / "empty"))
    fake_apt["versions"] = ("linux-image-6.1.0-9-cloud-amd64", "6.1.1-1", "1:1.35")
    first = builder.build_tiny(str(tmp_path))
    fake_apt["versions"], fake_apt["stamp"] = None, 3
    assert builder.build_tiny(str(tmp_path)) == first
