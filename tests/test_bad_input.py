"""Bad input: each problem is one clear row (or exception) naming the path, and everything else loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import meshroute_analysis as mra

GOOD = "type: MeshTCPRoute\nname: good\nmesh: default\nspec:\n  targetRef: {kind: Mesh}\n"


def _errors(repo):
    docs = repo.documents
    return docs[docs.status == "error"]


def test_missing_path_raises_input_error_naming_it(tmp_path):
    with pytest.raises(mra.InputError, match="nope.yaml: no such file"):
        mra.load_repo(tmp_path / "nope.yaml")


def test_binary_and_non_utf8_files_are_error_rows(write, tmp_path):
    write("good.yaml", GOOD)
    write("binary.yaml", b"\x00\x01\x02PNG")
    write("latin1.yaml", "name: caf\xe9\n".encode("latin-1"))
    repo = mra.load_repo(tmp_path)
    errors = _errors(repo).set_index("file")
    assert "binary file" in errors.loc[str(tmp_path / "binary.yaml"), "reason"]
    assert "not UTF-8 text: byte 0xe9 at line 1" == errors.loc[str(tmp_path / "latin1.yaml"), "reason"]
    assert list(repo.policies.name) == ["good"]


def test_unsafe_tags_are_refused_without_running_anything(write, tmp_path):
    marker = tmp_path / "pwned"
    write("evil.yaml", f"!!python/object/apply:os.system ['touch {marker}']\n")
    write("evil2.yaml", "type: MeshTCPRoute\nname: x\nspec: !!python/object:__main__.X {}\n")
    write("good.yaml", GOOD)
    repo = mra.load_repo(tmp_path)
    errors = _errors(repo)
    assert len(errors) == 2
    assert all("YAML error" in r and "python/object" in r for r in errors.reason)
    assert not marker.exists()
    assert list(repo.policies.name) == ["good"]


def test_alias_bomb_is_an_error_row_not_a_hang(write, tmp_path):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        levels.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    write("bomb.yaml", "\n".join(levels) + "\n---\n" + GOOD)
    repo = mra.load_repo(tmp_path)
    errors = _errors(repo)
    assert len(errors) == 1 and "aliases expand" in errors.iloc[0].reason
    assert list(repo.policies.name) == ["good"]


def test_modest_aliases_still_load(write, tmp_path):
    write(
        "anchors.yaml",
        """
        type: MeshTCPRoute
        name: anchored
        spec:
          targetRef: &everyone {kind: Mesh}
          to:
          - targetRef: {kind: MeshService, name: b}
            rules:
            - default:
                backendRefs:
                - &ref {kind: MeshService, name: b, weight: 2}
                - *ref
        """,
    )
    repo = mra.load_repo(tmp_path)
    assert list(repo.backends.weight) == [2, 2]


def test_deep_nesting_is_an_error_row(write, tmp_path):
    write("deep.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n")
    write("good.yaml", GOOD)
    repo = mra.load_repo(tmp_path)
    assert len(_errors(repo)) == 1
    assert list(repo.policies.name) == ["good"]


def test_oversized_file_is_reported_not_read(write, tmp_path):
    write("big.yaml", GOOD + "#" * 4096 + "\n")
    write("good.yaml", GOOD.replace("good", "small"))
    repo = mra.load_repo(tmp_path, max_file_bytes=1024)
    errors = _errors(repo)
    assert len(errors) == 1 and "over the" in errors.iloc[0].reason and "max_file_bytes" in errors.iloc[0].reason
    assert errors.iloc[0].file.endswith("big.yaml")
    assert list(repo.policies.name) == ["small"]


def test_unreadable_file_is_an_error_row(write, tmp_path, monkeypatch):
    write("locked.yaml", GOOD)
    write("good.yaml", GOOD.replace("good", "other"))
    real_open = Path.open

    def refusing_open(self, *args, **kwargs):
        if self.name == "locked.yaml":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)
    repo = mra.load_repo(tmp_path)
    errors = _errors(repo)
    assert list(errors.reason) == ["cannot read: Permission denied"]
    assert list(repo.policies.name) == ["other"]


def test_directory_named_like_a_file_is_an_error_row(tmp_path):
    (tmp_path / "dir.yaml").mkdir()
    repo = mra.load_repo(tmp_path / "dir.yaml")
    assert len(repo.documents) == 0  # a directory is walked, and it is empty


def test_template_markup_is_a_per_document_error(write, tmp_path):
    markup = (
        "apiVersion: kuma.io/v1alpha1\nkind: MeshTCPRoute\nmetadata:\n  name: r\n"
        "  namespace: {{site.mesh_namespace}}\n---\n{% if_version gte:2.6.x %}\n---\n"
    )
    write("doc.yaml", markup + GOOD)
    repo = mra.load_repo(tmp_path)
    assert list(repo.documents.status) == ["error", "error", "loaded"]
    assert list(repo.documents.line)[:2] == [5, 7]
    assert repo.documents.reason[:2].str.startswith("template markup").all()


def test_stdin_dash_is_read(tmp_path):
    code = "import meshroute_analysis as m; r = m.load_repo('-'); print(list(r.policies.name))"
    done = subprocess.run([sys.executable, "-c", code], input=GOOD, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['good']"


def test_named_pipe_is_an_error_row_not_a_hang(write, tmp_path):
    import os

    write("good.yaml", GOOD)
    os.mkfifo(tmp_path / "pipe.yaml")
    repo = mra.load_repo(tmp_path)
    assert list(_errors(repo).reason) == ["not a regular file (a pipe, socket or device); not read"]
    assert list(repo.policies.name) == ["good"]


def test_unreadable_top_level_directory_is_an_error_row(write, tmp_path, monkeypatch):
    import os

    write("locked/r.yaml", GOOD)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p).endswith("locked") else real_access(p, mode))
    repo = mra.load_repo(tmp_path / "locked")
    assert list(_errors(repo).reason) == ["cannot read directory: permission denied"]
